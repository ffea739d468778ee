import { ceilDiv, defineKernel } from './kernel.js';

/** dW = xᵀ · dlogits, x: [rows, K], dlogits: [rows, N]; one invocation per element of dW. */
export const weightGrad = defineKernel<'x' | 'dlogits' | 'dw', 'K' | 'N'>({
  shader: 'weight_grad',
  shape: ['K', 'N'],
  step: true,
  tunable: true,
  grid: (c) => [ceilDiv(c.K * c.N, c.WG)],
});
