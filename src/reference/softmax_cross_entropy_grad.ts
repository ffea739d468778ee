/** CPU twin of shaders/softmax_cross_entropy_grad.wgsl: dlogits = (probs - onehot(y)) / rows. */
export function softmaxCrossEntropyGrad(
  probs: Float32Array,
  y: ArrayLike<number>,
  rows: number,
  classes: number,
): Float32Array {
  const dlogits = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    for (let n = 0; n < classes; n++) {
      dlogits[r * classes + n] = (probs[r * classes + n] - (n === y[r] ? 1 : 0)) / rows;
    }
  }
  return dlogits;
}
