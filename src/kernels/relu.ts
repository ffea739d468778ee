import { ACTIVATION_CODES } from './conv2d_shape.js';
import { ceilDiv, defineKernel, spreadGrid } from './kernel.js';

/**
 * out = max(x, 0) over a step's [rows, N] values (d2l 4.2's relu as its own kernel); one invocation per value.
 * activation.wgsl's forward with ACT fixed to ReLU: the same bindings x, out.
 */
export const relu = defineKernel<'x' | 'out', 'N'>({
  shader: 'activation',
  entryPoint: 'forward',
  shape: ['N'],
  step: true,
  tunable: true,
  constants: { ACT: ACTIVATION_CODES.relu },
  grid: (c, rows) => spreadGrid(ceilDiv(rows * c.N, c.WG)),
});
