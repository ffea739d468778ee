import { ceilDiv, defineKernel } from './kernel.js';

/** logits = x · W + b, x: [rows, K], W: [K, N]; one invocation per output element. */
export const matmulBias = defineKernel<'x' | 'w' | 'b' | 'logits', 'K' | 'N'>({
  shader: 'matmul_bias',
  shape: ['K', 'N'],
  step: true,
  tunable: true,
  grid: (c, rows) => [ceilDiv(rows * c.N, c.WG)],
});
