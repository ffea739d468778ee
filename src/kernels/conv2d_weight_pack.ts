import { ceilDiv, type Constants, defineKernel } from './kernel.js';

// Both entry points: the same shape, and a thread per packed vec4 (the TAIL rows' included).
const PACK = {
  shader: 'conv2d_weight_pack',
  shape: ['OUTER', 'A', 'T'] as const,
  step: false,
  tunable: true,
  grid: (c: Constants): [number] => [ceilDiv((c.OUTER * c.T + c.TAIL) * ceilDiv(c.A, 4), c.WG)],
};

/**
 * w [OUTER, A, T] -> packed [OUTER, T, ceil(A/4)] vec4 (zero-padded): 4 channels per load for the conv kernels;
 * FLIP 1 reverses T; TAIL (default 0) zero rows of ceil(A/4) vec4s follow.
 */
export const conv2dWeightPack = defineKernel<'w' | 'packed', 'OUTER' | 'A' | 'T'>({ ...PACK, entryPoint: 'main', constants: { FLIP: 0, TAIL: 0 } });

/**
 * The contraction template's convolution weights, rows over (tap, channel): from w [A, OUTER, T] to [T · OUTER +
 * TAIL, ceil(A/4)] vec4 (TRANSPOSE 0: the forward, A = C_OUT, OUTER = C_IN), or from w [OUTER, A, T] (TRANSPOSE 1:
 * the input gradient, OUTER = C_OUT, A = C_IN); T = KS².
 */
export const conv2dWeightPackTapMajor = defineKernel<'w' | 'packed', 'OUTER' | 'A' | 'T'>({ ...PACK, entryPoint: 'tap_major', constants: { TRANSPOSE: 0, TAIL: 0 } });

/** The pack shape for conv2d_forward_subgroup's weights (4 output channels per vec4). */
export const forwardPack = (c: { C_IN: number; C_OUT: number; KS: number }) => ({ OUTER: 1, A: c.C_OUT, T: c.C_IN * c.KS * c.KS });
/** The pack shape for an input gradient's weights (4 input channels per vec4): conv2d_forward_subgroup with FLIP. */
export const inputGradPack = (c: { C_IN: number; C_OUT: number; KS: number }) => ({ OUTER: c.C_OUT, A: c.C_IN, T: c.KS * c.KS });
/** Bytes of a packed buffer (TAIL zero rows after the OUTER · T). */
export const packedBytes = (p: { OUTER: number; A: number; T: number; TAIL?: number }) => (p.OUTER * p.T + (p.TAIL ?? 0)) * ceilDiv(p.A, 4) * 16;
