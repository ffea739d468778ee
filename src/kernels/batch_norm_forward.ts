import { ceilDiv, defineKernel, spreadGrid } from './kernel.js';


/**
 * y = weight * (x - mean) * invstd + bias per channel of [rows, C, HW]: the step's statistics in training
 * (TRAINING 1, `spread` = invstd), the running ones in evaluation (TRAINING 0, `spread` = running variance).
 */
export const batchNormForward = defineKernel<'x' | 'weight' | 'bias' | 'mean' | 'spread' | 'y', 'C' | 'HW'>({
  shader: 'batch_norm_forward',
  shape: ['C', 'HW'],
  step: true,
  tunable: true,
  constants: { EPS: 1e-5, TRAINING: 1 },
  grid: (c, rows) => spreadGrid(ceilDiv(rows * c.C * c.HW, c.WG)),
});
