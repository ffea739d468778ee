/** CPU twin of shaders/batch_norm_grad_reduce.wgsl: dbias = sum(dy), dweight = sum(dy * xhat) per channel, in f64. */
export function batchNormGradReduce(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  rows: number,
  c: number,
  hw: number,
  stats: { mean: ArrayLike<number>; invstd: ArrayLike<number> },
): { dweight: Float64Array; dbias: Float64Array } {
  const dweight = new Float64Array(c);
  const dbias = new Float64Array(c);
  for (let i = 0; i < rows * c * hw; i++) {
    const ch = Math.floor(i / hw) % c;
    dbias[ch] += dy[i];
    dweight[ch] += dy[i] * (x[i] - stats.mean[ch]) * stats.invstd[ch];
  }
  return { dweight, dbias };
}
