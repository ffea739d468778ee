/**
 * BatchNorm's kernels over [rows, C, HW] values (HW 1 for BatchNorm1d), the four entry points of
 * shaders/batch_norm.wgsl. Shapes C and HW; statistics and grad_reduce run one workgroup per channel, of REDUCE_WG
 * invocations (256 unless the constant says otherwise; the network passes gpu/tuning.ts Tuning.normReduce).
 */
import { ceilDiv, type Constants, defineKernel, spreadGrid, valuesPerInvocation } from './kernel.js';

// prelude/activation_fn: ACT, the ReLU or Sigmoid after the BatchNorm, applied by forward and differentiated by the
// backward; prelude/quads: four values an invocation.
const shader = { shader: 'batch_norm', shape: ['C', 'HW'] as const, step: true, preludes: ['prelude/activation_fn', 'prelude/quads'] };
// REDUCE_WG: the reductions' tree halves it down to 1, so a power of 2, and one workgroup holds it.
const perChannel = {
  ...shader,
  tunable: false,
  grid: (c: Constants) => [c.C] as [number],
  checkConstants: (c: Constants) => (c.REDUCE_WG === undefined || (Number.isInteger(c.REDUCE_WG) && c.REDUCE_WG >= 1 && (c.REDUCE_WG & (c.REDUCE_WG - 1)) === 0) ? null : `REDUCE_WG ${c.REDUCE_WG} is not a power of 2; set Tuning.normReduce to one (64 or 256)`),
  checkLimits: (c: Constants, limits: GPUSupportedLimits) => {
    const most = Math.min(limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX);
    return (c.REDUCE_WG ?? 256) > most ? `REDUCE_WG ${c.REDUCE_WG} is more than this adapter's maxComputeInvocationsPerWorkgroup / maxComputeWorkgroupSizeX (${most}); set Tuning.normReduce lower` : null;
  },
};
// forward and input_grad take four values an invocation where a channel's pixels come in fours (RUN = HW).
const perValue = { ...shader, tunable: true, grid: (c: Constants, rows: number) => spreadGrid(ceilDiv(rows * c.C * c.HW, c.WG * valuesPerInvocation(c.HW))) };

/**
 * BatchNorm in training: mean[c] and invstd[c] = 1/sqrt(var + EPS) over the step's [rows, C, HW] values, and the
 * running statistics moved by MOMENTUM (unbiased variance). One workgroup per channel.
 */
export const batchNormStatistics = defineKernel<'x' | 'mean' | 'invstd' | 'running_mean' | 'running_var', 'C' | 'HW'>({
  ...perChannel,
  entryPoint: 'statistics',
  constants: { EPS: 1e-5, MOMENTUM: 0.1 },
});

/**
 * y = act(weight * (x - mean) * invstd + bias) per channel of [rows, C, HW]: the step's statistics in training
 * (TRAINING 1, `spread` = invstd), the running ones in evaluation (TRAINING 0, `spread` = running variance); act:
 * ACT (ACTIVATION_CODES; 0, none, by default).
 */
export const batchNormForward = defineKernel<'x' | 'weight' | 'bias' | 'mean' | 'spread' | 'y', 'C' | 'HW'>({
  ...perValue,
  entryPoint: 'forward',
  constants: { EPS: 1e-5, TRAINING: 1, ACT: 0 },
});

/**
 * BatchNorm's dbias[c] = sum(g) and dweight[c] = sum(g * xhat) over the step's rows and pixels, g = dy * act'(y)
 * (y: the forward's output, after ACT; g = dy where ACT is 0); one workgroup per channel.
 */
export const batchNormGradReduce = defineKernel<'x' | 'y' | 'dy' | 'mean' | 'invstd' | 'dweight' | 'dbias', 'C' | 'HW'>({
  ...perChannel,
  entryPoint: 'grad_reduce',
  constants: { ACT: 0 },
});

/** BatchNorm's dx = weight * invstd / n * (n * g - dbias - xhat * dweight) in training, g as grad_reduce's; four values an invocation where HW % 4 == 0, else one. */
export const batchNormInputGrad = defineKernel<'x' | 'y' | 'dy' | 'mean' | 'invstd' | 'weight' | 'dweight' | 'dbias' | 'dx', 'C' | 'HW'>({
  ...perValue,
  entryPoint: 'input_grad',
  constants: { ACT: 0 },
});
