/**
 * CPU twin of shaders/batch_norm_forward.wgsl: y = weight * (x - mean) * s + bias per channel, s = `spread` in
 * training (the step's invstd) or 1/sqrt(spread + eps) in evaluation (`spread` = running variance).
 */
export function batchNormForward(
  x: ArrayLike<number>,
  rows: number,
  c: number,
  hw: number,
  p: { weight: ArrayLike<number>; bias: ArrayLike<number>; mean: ArrayLike<number>; spread: ArrayLike<number> },
  training: boolean,
  eps = 1e-5,
): Float64Array {
  const y = new Float64Array(rows * c * hw);
  for (let i = 0; i < y.length; i++) {
    const ch = Math.floor(i / hw) % c;
    const s = training ? p.spread[ch] : 1 / Math.sqrt(p.spread[ch] + eps);
    y[i] = p.weight[ch] * (x[i] - p.mean[ch]) * s + p.bias[ch];
  }
  return y;
}
