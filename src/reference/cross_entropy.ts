/** Smallest normal f32: the clamp shaders/cross_entropy.wgsl applies to a probability that underflowed. */
export const MIN_PROBABILITY = 1.17549435e-38;

/** CPU twin of shaders/cross_entropy.wgsl: loss[r] = -log(max(probs[r, y[r]], MIN_PROBABILITY)) and their sum. */
export function crossEntropy(
  probs: Float32Array,
  y: ArrayLike<number>,
  rows: number,
  classes: number,
): { loss: Float32Array; sum: number } {
  const loss = new Float32Array(rows);
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    const l = -Math.log(Math.max(probs[r * classes + y[r]], MIN_PROBABILITY));
    loss[r] = l;
    sum += l;
  }
  return { loss, sum };
}
