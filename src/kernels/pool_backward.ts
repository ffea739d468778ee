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

/** poolBackward for an even H and W: one invocation per 2x2 window, a and dx as vec2 (2.4x fewer loads and stores). */
export const poolBackwardVec2 = defineKernel<'a' | 'dy' | 'dx', 'C' | 'H' | 'W'>({
  shader: 'pool_backward_vec2',
  shape: ['C', 'H', 'W'],
  step: true,
  preludes: ['prelude/pool_window_grad'],
  tunable: true,
  constants: { POOL: 0, ACT: 0 },
  checkConstants: (c) => (c.H % 2 !== 0 || c.W % 2 !== 0 ? `H and W must be even, not ${c.H}x${c.W}` : null),
  grid: (c, rows) => [ceilDiv((rows * c.C * c.H * c.W) / 4, c.WG)],
});

/** The pool backward kernel for this shape: poolBackwardVec2 where H and W are even, else poolBackward (same bindings). */
export const poolBackwardFor = (shape: { H: number; W: number }) => (shape.H % 2 === 0 && shape.W % 2 === 0 ? poolBackwardVec2 : poolBackward);
