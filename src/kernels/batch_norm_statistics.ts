import { defineKernel } from './kernel.js';

/**
 * BatchNorm in training: mean[c] and invstd[c] = 1/sqrt(var + EPS) over the step's [rows, C, HW] values, and the
 * running statistics moved by MOMENTUM (unbiased variance). One workgroup of 256 per channel.
 */
export const batchNormStatistics = defineKernel<'x' | 'mean' | 'invstd' | 'running_mean' | 'running_var', 'C' | 'HW'>({
  shader: 'batch_norm_statistics',
  shape: ['C', 'HW'],
  step: true,
  tunable: false,
  constants: { EPS: 1e-5, MOMENTUM: 0.1 },
  grid: (c) => [c.C],
});
