import { ceilDiv, defineKernel } from './kernel.js';

/** db = column sums of dlogits; one invocation per class. */
export const biasGrad = defineKernel<'dlogits' | 'db'>({
  shader: 'bias_grad',
  tunable: true,
  grid: (d, wg) => [ceilDiv(d.classes, wg)],
});
