/** CPU twin of shaders/batch_norm_input_grad.wgsl: dx = weight * invstd / n * (n * dy - dbias - xhat * dweight), n = rows * hw. */
export function batchNormInputGrad(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  rows: number,
  c: number,
  hw: number,
  p: { mean: ArrayLike<number>; invstd: ArrayLike<number>; weight: ArrayLike<number>; dweight: ArrayLike<number>; dbias: ArrayLike<number> },
): Float64Array {
  const n = rows * hw;
  const dx = new Float64Array(rows * c * hw);
  for (let i = 0; i < dx.length; i++) {
    const ch = Math.floor(i / hw) % c;
    const s = p.invstd[ch];
    const xhat = (x[i] - p.mean[ch]) * s;
    dx[i] = ((p.weight[ch] * s) / n) * (n * dy[i] - p.dbias[ch] - xhat * p.dweight[ch]);
  }
  return dx;
}
