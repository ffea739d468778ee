import type { Gpu } from '../gpu/device.js';
import { BoundKernel, ceilDiv, type CreateOptions, defineKernel, type KernelSpec, spreadGrid } from './kernel.js';
import { POOL_WINDOW, poolProblem, poolWindowSize } from './pool_forward.js';

/**
 * dx of pooling (pool_forward's windows: KS or KH x KW, STRIDE, PAD; default 2x2 / stride 2) times act'(a) of the
 * activation a that was pooled; one invocation per input element, gathering over the windows that hold it.
 */
export const poolBackward = defineKernel<'a' | 'dy' | 'dx', 'C' | 'H' | 'W'>({
  shader: 'pool_backward',
  shape: ['C', 'H', 'W'],
  step: true,
  preludes: ['prelude/pool_window_grad'],
  tunable: true,
  constants: { POOL: 0, ACT: 0, ...POOL_WINDOW },
  checkConstants: poolProblem,
  grid: (c, rows) => spreadGrid(ceilDiv(rows * c.C * c.H * c.W, c.WG)),
});

const windows2x2 = defineKernel<'a_pairs' | 'dy' | 'dx_pairs', 'C' | 'H' | 'W'>({
  shader: 'pool_backward',
  entryPoint: 'windows_2x2',
  shape: ['C', 'H', 'W'],
  step: true,
  preludes: ['prelude/pool_window_grad'],
  tunable: true,
  constants: { POOL: 0, ACT: 0 },
  checkConstants: (c) => {
    if (c.H % 2 !== 0 || c.W % 2 !== 0) return `H and W must be even, not ${c.H}x${c.W}`;
    const w = { ...POOL_WINDOW, ...c };
    const { kh, kw } = poolWindowSize(w);
    return kh === 2 && kw === 2 && w.STRIDE === 2 && w.PAD === 0 ? null : `its windows are 2x2, stride 2, no padding; not ${kh}x${kw}, stride ${w.STRIDE}, padding ${w.PAD}`;
  },
  grid: (c, rows) => spreadGrid(ceilDiv((rows * c.C * c.H * c.W) / 4, c.WG)),
});

/** A windows_2x2 kernel bound by poolBackward's names: its WGSL reads a and writes dx as vec2 pairs (a_pairs, dx_pairs). */
class Windows2x2 extends BoundKernel<'a' | 'dy' | 'dx'> {
  override bind(buffers: Record<'a' | 'dy' | 'dx', GPUBuffer | GPUBufferBinding>, label?: string): GPUBindGroup {
    return this.kernel.bindGroup(0, { a_pairs: buffers.a, dy: buffers.dy, dx_pairs: buffers.dx }, label);
  }
}

/**
 * poolBackward for 2x2 / stride-2 windows on an even H and W: one invocation per window, a and dx as vec2 (2.4x
 * fewer loads and stores); the entry point windows_2x2 of the same shader, bound as poolBackward.
 */
export const poolBackwardVec2 = {
  spec: windows2x2.spec,
  async create(gpu: Gpu, shape: Record<'C' | 'H' | 'W', number>, options: CreateOptions = {}): Promise<BoundKernel<'a' | 'dy' | 'dx'>> {
    const bound = await windows2x2.create(gpu, shape, options);
    // The constructor reads only the spec's grid; the binding names are what differ.
    return new Windows2x2(bound.kernel, windows2x2.spec as unknown as KernelSpec<'a' | 'dy' | 'dx', string>, bound.constants, bound.rows);
  },
};

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
