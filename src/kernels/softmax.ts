import { ceilDiv, defineKernel } from './kernel.js';

/** Row-wise numerically stable softmax; one invocation per row. */
export const softmax = defineKernel<'logits' | 'probs', 'N'>({
  shader: 'softmax',
  shape: ['N'],
  step: true,
  tunable: true,
  grid: (c, rows) => [ceilDiv(rows, c.WG)],
});
