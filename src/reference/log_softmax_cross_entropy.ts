/**
 * CPU twin of shaders/log_softmax_cross_entropy.wgsl: stable loss = logsumexp(z) - z[y], its sum, and dlogits of the
 * mean over `batch` rows (default `rows`; more where these rows are one chunk of a larger minibatch).
 */
export function logSoftmaxCrossEntropy(
  logits: Float32Array,
  y: ArrayLike<number>,
  rows: number,
  classes: number,
  batch = rows,
): { loss: Float32Array; sum: number; dlogits: Float32Array } {
  const loss = new Float32Array(rows);
  const dlogits = new Float32Array(rows * classes);
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    let m = -Infinity;
    for (let n = 0; n < classes; n++) m = Math.max(m, logits[base + n]);
    let total = 0;
    for (let n = 0; n < classes; n++) total += Math.exp(logits[base + n] - m);
    const lse = m + Math.log(total);
    const l = lse - logits[base + y[r]];
    loss[r] = l;
    sum += l;
    for (let n = 0; n < classes; n++) {
      dlogits[base + n] = (Math.exp(logits[base + n] - lse) - (n === y[r] ? 1 : 0)) / batch;
    }
  }
  return { loss, sum, dlogits };
}
