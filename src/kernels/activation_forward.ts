import { ceilDiv, defineKernel } from './kernel.js';

/** x = act(x) in place over [rows, N] (ACT 1 sigmoid, 2 ReLU); one invocation per element. */
export const activationForward = defineKernel<'x', 'N'>({
  shader: 'activation_forward',
  shape: ['N'],
  step: true,
  tunable: true,
  constants: { ACT: 1 },
  grid: (c, rows) => [ceilDiv(rows * c.N, c.WG)],
});
