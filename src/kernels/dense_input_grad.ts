import { ceilDiv, defineKernel } from './kernel.js';

/** dx = (dy · Wᵀ) ⊙ act'(x), dy: [rows, N], W: [K, N]; one invocation per element of dx. */
export const denseInputGrad = defineKernel<'dy' | 'w' | 'x' | 'dx', 'K' | 'N'>({
  shader: 'dense_input_grad',
  shape: ['K', 'N'],
  step: true,
  tunable: true,
  constants: { ACT: 0 },
  grid: (c, rows) => [ceilDiv(rows * c.K, c.WG)],
});
