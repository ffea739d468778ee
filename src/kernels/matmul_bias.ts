import { ceilDiv, defineKernel } from './kernel.js';

/** logits = x · W + b; one invocation per output element. */
export const matmulBias = defineKernel<'x' | 'w' | 'b' | 'logits'>({
  shader: 'matmul_bias',
  tunable: true,
  grid: (d, wg) => [ceilDiv(d.rows * d.classes, wg)],
});
