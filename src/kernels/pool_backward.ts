import { ceilDiv, defineKernel } from './kernel.js';

/** dx of 2x2 / stride-2 pooling times act'(a) of the activation a that was pooled; one invocation per input element. */
export const poolBackward = defineKernel<'a' | 'dy' | 'dx', 'C' | 'H' | 'W'>({
  shader: 'pool_backward',
  shape: ['C', 'H', 'W'],
  step: true,
  tunable: true,
  constants: { POOL: 0, ACT: 0 },
  checkConstants: (c) => (c.H < 2 || c.W < 2 ? `a ${c.H}x${c.W} input has no 2x2 window` : null),
  grid: (c, rows) => [ceilDiv(rows * c.C * c.H * c.W, c.WG)],
});
