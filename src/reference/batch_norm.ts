/** CPU twins of shaders/batch_norm.wgsl's four entry points, in f64. */
import { activate, activationSlope } from './conv2d_forward.js';

/**
 * The activation BatchNorm's kernels fuse (ACT: 0 none, 1 sigmoid, 2 ReLU) and, for the backward, the forward's
 * output `y` after it: the gradient handed in is with respect to y, its slope read from y.
 */
export interface FusedActivation {
  act: number;
  y: ArrayLike<number>;
}

/** g = dy * act'(y) at value i: the gradient before the fused activation (dy itself without one). */
const preActivation = (dy: ArrayLike<number>, i: number, fused?: FusedActivation): number => (fused && fused.act ? dy[i] * activationSlope(fused.y[i], fused.act) : dy[i]);

/** batch_norm.wgsl's statistics, in f64: the step's per-channel statistics and the moved running ones. */
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

/**
 * batch_norm.wgsl's forward: y = act(weight * (x - mean) * s + bias) per channel, s = `spread` in
 * training (the step's invstd) or 1/sqrt(spread + eps) in evaluation (`spread` = running variance); `act` its ACT.
 */
export function batchNormForward(
  x: ArrayLike<number>,
  rows: number,
  c: number,
  hw: number,
  p: { weight: ArrayLike<number>; bias: ArrayLike<number>; mean: ArrayLike<number>; spread: ArrayLike<number> },
  training: boolean,
  eps = 1e-5,
  act = 0,
): Float64Array {
  const y = new Float64Array(rows * c * hw);
  for (let i = 0; i < y.length; i++) {
    const ch = Math.floor(i / hw) % c;
    const s = training ? p.spread[ch] : 1 / Math.sqrt(p.spread[ch] + eps);
    y[i] = activate(p.weight[ch] * (x[i] - p.mean[ch]) * s + p.bias[ch], act);
  }
  return y;
}

/** batch_norm.wgsl's grad_reduce: dbias = sum(g), dweight = sum(g * xhat) per channel, g = dy * act'(y) (`fused`) or dy, in f64. */
export function batchNormGradReduce(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  rows: number,
  c: number,
  hw: number,
  stats: { mean: ArrayLike<number>; invstd: ArrayLike<number> },
  fused?: FusedActivation,
): { dweight: Float64Array; dbias: Float64Array } {
  const dweight = new Float64Array(c);
  const dbias = new Float64Array(c);
  for (let i = 0; i < rows * c * hw; i++) {
    const ch = Math.floor(i / hw) % c;
    const g = preActivation(dy, i, fused);
    dbias[ch] += g;
    dweight[ch] += g * (x[i] - stats.mean[ch]) * stats.invstd[ch];
  }
  return { dweight, dbias };
}

/** batch_norm.wgsl's input_grad: dx = weight * invstd / n * (n * g - dbias - xhat * dweight), n = rows * hw, g as grad_reduce's. */
export function batchNormInputGrad(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  rows: number,
  c: number,
  hw: number,
  p: { mean: ArrayLike<number>; invstd: ArrayLike<number>; weight: ArrayLike<number>; dweight: ArrayLike<number>; dbias: ArrayLike<number> },
  fused?: FusedActivation,
): Float64Array {
  const n = rows * hw;
  const dx = new Float64Array(rows * c * hw);
  for (let i = 0; i < dx.length; i++) {
    const ch = Math.floor(i / hw) % c;
    const s = p.invstd[ch];
    const xhat = (x[i] - p.mean[ch]) * s;
    dx[i] = ((p.weight[ch] * s) / n) * (n * preActivation(dy, i, fused) - p.dbias[ch] - xhat * p.dweight[ch]);
  }
  return dx;
}
