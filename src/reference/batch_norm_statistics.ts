/** CPU twin of shaders/batch_norm_statistics.wgsl, in f64: the step's per-channel statistics and the moved running ones. */
export function batchNormStatistics(
  x: ArrayLike<number>,
  rows: number,
  c: number,
  hw: number,
  running: { mean: ArrayLike<number>; var: ArrayLike<number> },
  momentum = 0.1,
  eps = 1e-5,
): { mean: Float64Array; invstd: Float64Array; runningMean: Float64Array; runningVar: Float64Array } {
  const n = rows * hw;
  const mean = new Float64Array(c);
  const invstd = new Float64Array(c);
  const runningMean = new Float64Array(c);
  const runningVar = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let r = 0; r < rows; r++) for (let p = 0; p < hw; p++) s += x[(r * c + ch) * hw + p];
    const m = s / n;
    let q = 0;
    for (let r = 0; r < rows; r++) for (let p = 0; p < hw; p++) q += (x[(r * c + ch) * hw + p] - m) ** 2;
    mean[ch] = m;
    invstd[ch] = 1 / Math.sqrt(q / n + eps);
    runningMean[ch] = (1 - momentum) * running.mean[ch] + momentum * m;
    runningVar[ch] = (1 - momentum) * running.var[ch] + momentum * (n > 1 ? q / (n - 1) : q / n);
  }
  return { mean, invstd, runningMean, runningVar };
}
