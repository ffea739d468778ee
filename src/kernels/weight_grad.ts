import { ceilDiv, defineKernel } from './kernel.js';

/** dW = xᵀ · dlogits; one invocation per element of dW. */
export const weightGrad = defineKernel<'x' | 'dlogits' | 'dw'>({
  shader: 'weight_grad',
  tunable: true,
  grid: (d, wg) => [ceilDiv(d.features * d.classes, wg)],
});
