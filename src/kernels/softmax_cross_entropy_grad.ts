import { ceilDiv, defineKernel } from './kernel.js';

/** dlogits = (probs - onehot(y)) / rows; one invocation per element. */
export const softmaxCrossEntropyGrad = defineKernel<'probs' | 'y' | 'dlogits'>({
  shader: 'softmax_cross_entropy_grad',
  tunable: true,
  grid: (d, wg) => [ceilDiv(d.rows * d.classes, wg)],
});
