/**
 * CPU twin of the dense template's weight_grad with the u8 input (shaders/linear.wgsl, linear_subgroup.wgsl): dW = xᵀ · dy with x = images[order[row0 + r]] / 255 (u8,
 * [count, K]), [K, N], accumulated in f64.
 */
export function linearWeightGradU8(images: Uint8Array, order: ArrayLike<number>, row0: number, rows: number, dy: Float32Array, K: number, N: number): Float32Array {
  const acc = new Float64Array(K * N);
  for (let r = 0; r < rows; r++) {
    const sample = order[row0 + r];
    for (let k = 0; k < K; k++) {
      const px = images[sample * K + k];
      if (px === 0) continue;
      for (let n = 0; n < N; n++) acc[k * N + n] += px * dy[r * N + n];
    }
  }
  return Float32Array.from(acc, (v) => v / 255);
}
