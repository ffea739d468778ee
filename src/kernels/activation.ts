import { ACTIVATION_CODES } from './conv2d_shape.js';
import { defineKernel, valuesGrid } from './kernel.js';

export { ACTIVATION_CODES };

/** activation.wgsl's kernels: their shape, preludes and grid (also relu.ts's). */
export const activationSpec = { shader: 'activation', shape: ['N'] as const, step: true, tunable: true, preludes: ['prelude/activation_fn', 'prelude/quads'], constants: { ACT: ACTIVATION_CODES.relu }, grid: valuesGrid };

/** y = act(x) over a step's [rows, N] values (ACT: ACTIVATION_CODES, sigmoid or relu). */
export const activationForward = defineKernel<'x' | 'out', 'N'>({ ...activationSpec, entryPoint: 'forward' });

/** dx = dy · act'(y) from the forward's output y (bound as `x`). */
export const activationBackward = defineKernel<'x' | 'dy' | 'out', 'N'>({ ...activationSpec, entryPoint: 'backward' });
