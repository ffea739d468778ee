/** CPU twin of shaders/bias_grad.wgsl: db = column sums of dlogits. */
export function biasGrad(dlogits: Float32Array, rows: number, classes: number): Float32Array {
  const acc = new Float64Array(classes);
  for (let r = 0; r < rows; r++) for (let n = 0; n < classes; n++) acc[n] += dlogits[r * classes + n];
  return Float32Array.from(acc);
}

/** CPU twin of bias_grad.wgsl's planes: db[n] = the sum of dy [rows, N, P] over rows and plane n's P pixels. */
export function biasGradPlanes(dy: ArrayLike<number>, rows: number, channels: number, plane: number): Float32Array {
  const acc = new Float64Array(channels);
  for (let r = 0; r < rows; r++) for (let n = 0; n < channels; n++) for (let p = 0; p < plane; p++) acc[n] += dy[(r * channels + n) * plane + p];
  return Float32Array.from(acc);
}
