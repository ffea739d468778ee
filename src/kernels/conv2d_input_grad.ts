import { CONV_SHAPE, type ConvShape, convProblem } from './conv2d_forward.js';
import { ceilDiv, defineKernel } from './kernel.js';

/** dx = ∂l/∂x of a stride-1 convolution; one invocation per 4 pixels of an input row computing all C_IN (<= 16) channels; KS <= 5. */
export const conv2dInputGrad = defineKernel<'dy' | 'w' | 'dx', ConvShape>({
  shader: 'conv2d_input_grad',
  shape: CONV_SHAPE,
  step: true,
  tunable: true,
  constants: { PAD: 0 },
  checkConstants: (c) => convProblem(c, { maxIn: 16, maxKs: 5 }),
  // One invocation per 4 neighbouring pixels of an input row.
  grid: (c, rows) => [ceilDiv(rows * c.H * ceilDiv(c.W, 4), c.WG)],
});
