import { ceilDiv, defineKernel } from './kernel.js';

/** db = column sums of dlogits; one invocation per class. */
export const biasGrad = defineKernel<'dlogits' | 'db', 'N'>({
  shader: 'bias_grad',
  shape: ['N'],
  step: true,
  tunable: true,
  grid: (c) => [ceilDiv(c.N, c.WG)],
});
