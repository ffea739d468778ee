import { defineKernel } from './kernel.js';

/** BatchNorm's dbias[c] = sum(dy) and dweight[c] = sum(dy * xhat) over the step's rows and pixels; one workgroup per channel. */
export const batchNormGradReduce = defineKernel<'x' | 'dy' | 'mean' | 'invstd' | 'dweight' | 'dbias', 'C' | 'HW'>({
  shader: 'batch_norm_grad_reduce',
  shape: ['C', 'HW'],
  step: true,
  tunable: false,
  grid: (c) => [c.C],
});
