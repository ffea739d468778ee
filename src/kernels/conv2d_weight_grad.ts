import { CONV_SHAPE, type ConvShape, convProblem } from './conv2d_forward.js';
import { defineKernel } from './kernel.js';

/** dw, db of a stride-1 convolution summed over the minibatch; one workgroup per (ci, co), KS <= 5. */
export const conv2dWeightGrad = defineKernel<'x' | 'dy' | 'dw' | 'db', ConvShape>({
  shader: 'conv2d_weight_grad',
  shape: CONV_SHAPE,
  step: true,
  tunable: true,
  constants: { PAD: 0 },
  checkConstants: (c) => convProblem(c, { maxKs: 5 }) ?? (c.WG * (c.KS * c.KS + 1) * 4 > 16384 ? `WG ${c.WG} needs more than 16 KiB of workgroup memory` : null),
  grid: (c) => [c.C_IN, c.C_OUT],
});
