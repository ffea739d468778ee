/** CPU twin of shaders/softmax.wgsl: row-wise exp(z - max) / sum, in f64. */
export function softmax(logits: Float32Array, rows: number, classes: number): Float32Array {
  const probs = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    let m = -Infinity;
    for (let n = 0; n < classes; n++) m = Math.max(m, logits[base + n]);
    let total = 0;
    for (let n = 0; n < classes; n++) total += Math.exp(logits[base + n] - m);
    for (let n = 0; n < classes; n++) probs[base + n] = Math.exp(logits[base + n] - m) / total;
  }
  return probs;
}
