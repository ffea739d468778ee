import { DROPOUT_PRELUDE } from './dropout_mask.js';
import { ceilDiv, defineKernel, spreadGrid } from './kernel.js';

/** out = dropout(x) over a step's [rows, N] values, with the constants of kernels/dropout_mask.ts; one invocation per value. */
export const dropout = defineKernel<'x' | 'out', 'N'>({
  shader: 'dropout',
  shape: ['N'],
  step: true,
  preludes: [DROPOUT_PRELUDE],
  tunable: true,
  grid: (c, rows) => spreadGrid(ceilDiv(rows * c.N, c.WG)),
});
