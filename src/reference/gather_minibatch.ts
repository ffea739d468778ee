/** CPU twin of shaders/gather_minibatch.wgsl. images: [count, features] u8; labels: [count]. */
export function gatherMinibatch(
  images: Uint8Array,
  labels: ArrayLike<number>,
  order: ArrayLike<number>,
  row0: number,
  rows: number,
  features: number,
): { x: Float32Array; y: Uint32Array } {
  const x = new Float32Array(rows * features); // [rows, features]
  const y = new Uint32Array(rows);
  for (let r = 0; r < rows; r++) {
    const sample = order[row0 + r];
    for (let k = 0; k < features; k++) x[r * features + k] = images[sample * features + k] / 255;
    y[r] = labels[sample];
  }
  return { x, y };
}
