import { ceilDiv, defineKernel } from './kernel.js';

/** dx = (dy · Wᵀ) ⊙ act'(x), dy: [rows, N], W: [K, N]; one invocation per element of dx. */
export const linearInputGrad = defineKernel<'dy' | 'w' | 'x' | 'dx', 'K' | 'N'>({
  shader: 'linear_input_grad',
  shape: ['K', 'N'],
  step: true,
  tunable: true,
  constants: { ACT: 0 },
  grid: (c, rows) => [ceilDiv(rows * c.K, c.WG)],
});
