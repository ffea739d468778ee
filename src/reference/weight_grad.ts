/** CPU twin of kernels/weight_grad.ts (the dense template's weight_grad, shaders/linear.wgsl): dW = xᵀ · dlogits, [features, classes], accumulated in f64. */
export function weightGrad(x: Float32Array, dlogits: Float32Array, rows: number, features: number, classes: number): Float32Array {
  const acc = new Float64Array(features * classes);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < features; k++) {
      const xv = x[r * features + k];
      if (xv === 0) continue;
      for (let n = 0; n < classes; n++) acc[k * classes + n] += xv * dlogits[r * classes + n];
    }
  }
  return Float32Array.from(acc);
}
