import { ceilDiv, defineKernel } from './kernel.js';

/** dlogits = (probs - onehot(y)) / rows; one invocation per element. */
export const softmaxCrossEntropyGrad = defineKernel<'probs' | 'y' | 'dlogits', 'N'>({
  shader: 'softmax_cross_entropy_grad',
  shape: ['N'],
  step: true,
  tunable: true,
  grid: (c, rows) => [ceilDiv(rows * c.N, c.WG)],
});
