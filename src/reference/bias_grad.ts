/** CPU twin of shaders/bias_grad.wgsl: db = column sums of dlogits. */
export function biasGrad(dlogits: Float32Array, rows: number, classes: number): Float32Array {
  const acc = new Float64Array(classes);
  for (let r = 0; r < rows; r++) for (let n = 0; n < classes; n++) acc[n] += dlogits[r * classes + n];
  return Float32Array.from(acc);
}
