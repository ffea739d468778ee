import { ceilDiv, defineKernel, spreadGrid } from './kernel.js';
import { POOL_WINDOW, poolProblem, poolWindowSize } from './pool_forward.js';

/**
 * dx of pooling (pool_forward's windows: KS or KH x KW, STRIDE, PAD; default 2x2 / stride 2) times act'(a) of the
 * activation a that was pooled; one invocation per input element, gathering over the windows that hold it.
 */
export const poolBackward = defineKernel<'a' | 'dy' | 'dx', 'C' | 'H' | 'W'>({
  shader: 'pool_backward',
  shape: ['C', 'H', 'W'],
  step: true,
  tunable: true,
  constants: { POOL: 0, ACT: 0, ...POOL_WINDOW },
  checkConstants: poolProblem,
  grid: (c, rows) => spreadGrid(ceilDiv(rows * c.C * c.H * c.W, c.WG)),
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
  grid: (c, rows) => spreadGrid(ceilDiv((rows * c.C * c.H * c.W) / 4, c.WG)),
});

/**
 * The pool backward kernel for this shape and window (`constants`, default 2x2 / stride 2): poolBackwardVec2 for
 * 2x2 / stride-2 windows on even H and W, else poolBackward (same bindings; pass the same constants to create()).
 */
export function poolBackwardFor(shape: { H: number; W: number }, constants: Record<string, number> = {}) {
  const c = { ...POOL_WINDOW, ...constants, ...shape };
  const { kh, kw } = poolWindowSize(c);
  const lenet = kh === 2 && kw === 2 && c.STRIDE === 2 && c.PAD === 0;
  return lenet && shape.H % 2 === 0 && shape.W % 2 === 0 ? poolBackwardVec2 : poolBackward;
}
