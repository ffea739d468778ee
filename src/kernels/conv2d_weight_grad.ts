import { CONV_SHAPE, type ConvShape, convProblem } from './conv2d_forward.js';
import { defineKernel } from './kernel.js';

/** dw, db of a stride-1 convolution summed over the minibatch; one workgroup per (ci, ky), C_OUT <= 16, KS <= 5. */
export const conv2dWeightGrad = defineKernel<'x' | 'dy' | 'dw' | 'db', ConvShape>({
  shader: 'conv2d_weight_grad',
  shape: CONV_SHAPE,
  step: true,
  tunable: true,
  // Each workgroup reduces WG·C_OUT·(KS + 1) partial sums in workgroup memory (16 KiB is WebGPU's default limit).
  constants: { PAD: 0, WG: 32 },
  checkConstants: (c) =>
    convProblem(c, { maxOut: 16, maxKs: 5 }) ?? (c.WG * c.C_OUT * (c.KS + 1) * 4 > 16384 ? `WG ${c.WG} needs more than 16 KiB of workgroup memory` : null),
  grid: (c) => [c.C_IN, c.KS],
});
