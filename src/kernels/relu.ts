import { ceilDiv, defineKernel, spreadGrid } from './kernel.js';

/** out = max(x, 0) over a step's [rows, N] values; one invocation per value. */
export const relu = defineKernel<'x' | 'out', 'N'>({
  shader: 'relu',
  shape: ['N'],
  step: true,
  tunable: true,
  grid: (c, rows) => spreadGrid(ceilDiv(rows * c.N, c.WG)),
});
