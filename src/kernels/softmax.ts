import { ceilDiv, defineKernel } from './kernel.js';

/** Row-wise numerically stable softmax; one invocation per row. */
export const softmax = defineKernel<'logits' | 'probs'>({
  shader: 'softmax',
  tunable: true,
  grid: (d, wg) => [ceilDiv(d.rows, wg)],
});
