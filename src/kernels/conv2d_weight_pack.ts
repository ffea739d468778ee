import { ceilDiv, defineKernel } from './kernel.js';

/** w [OUTER, A, T] -> packed [OUTER, T, ceil(A/4)] vec4 (zero-padded): 4 channels per load for the conv kernels; FLIP 1 reverses T. */
export const conv2dWeightPack = defineKernel<'w' | 'packed', 'OUTER' | 'A' | 'T'>({
  shader: 'conv2d_weight_pack',
  shape: ['OUTER', 'A', 'T'],
  step: false,
  tunable: true,
  constants: { FLIP: 0 },
  grid: (c) => [ceilDiv(c.OUTER * c.T * ceilDiv(c.A, 4), c.WG)],
});

/** The pack shape for conv2d_forward's weights (4 output channels per vec4). */
export const forwardPack = (c: { C_IN: number; C_OUT: number; KS: number }) => ({ OUTER: 1, A: c.C_OUT, T: c.C_IN * c.KS * c.KS });
/** The pack shape for conv2d_input_grad's weights (4 input channels per vec4). */
export const inputGradPack = (c: { C_IN: number; C_OUT: number; KS: number }) => ({ OUTER: c.C_OUT, A: c.C_IN, T: c.KS * c.KS });
/** Bytes of a packed buffer. */
export const packedBytes = (p: { OUTER: number; A: number; T: number }) => p.OUTER * p.T * ceilDiv(p.A, 4) * 16;
