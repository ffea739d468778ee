import { ceilDiv, defineKernel, spreadGrid } from './kernel.js';


/** BatchNorm's dx = weight * invstd / n * (n * dy - dbias - xhat * dweight) in training; one invocation per value. */
export const batchNormInputGrad = defineKernel<'x' | 'dy' | 'mean' | 'invstd' | 'weight' | 'dweight' | 'dbias' | 'dx', 'C' | 'HW'>({
  shader: 'batch_norm_input_grad',
  shape: ['C', 'HW'],
  step: true,
  tunable: true,
  grid: (c, rows) => spreadGrid(ceilDiv(rows * c.C * c.HW, c.WG)),
});
