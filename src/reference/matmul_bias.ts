/** CPU twin of kernels/matmul_bias.ts (the dense template's forward, shaders/linear.wgsl): logits = x · W + b, accumulated in f64. */
export function matmulBias(
  x: Float32Array,
  w: Float32Array,
  b: Float32Array,
  rows: number,
  features: number,
  classes: number,
): Float32Array {
  const logits = new Float32Array(rows * classes); // [rows, classes]
  for (let r = 0; r < rows; r++) {
    for (let n = 0; n < classes; n++) {
      let acc = 0;
      for (let k = 0; k < features; k++) acc += x[r * features + k] * w[k * classes + n];
      logits[r * classes + n] = acc + b[n];
    }
  }
  return logits;
}
