/**
 * PyTorch's Conv2d at any shape: channels, square kernel KS, STRIDE, zero padding PAD, with a bias; its forward,
 * input gradient and weight + bias gradient are three entry points of shaders/conv2d_general.wgsl. Shapes are
 * the overrides C_IN, C_OUT, H, W, KS (create()'s shape) and STRIDE, PAD (constants, defaults 1 and 0).
 */
import type { Gpu } from '../gpu/device.js';
import { type BoundKernel, ceilDiv, type Constants, type CreateOptions, defineKernel, spreadGrid } from './kernel.js';

/** Output size of a convolution or pooling along one axis, as PyTorch's: floor((size + 2 pad - ks) / stride) + 1. */
export const windowOutput = (size: number, ks: number, stride: number, pad: number): number => Math.floor((size + 2 * pad - ks) / stride) + 1;

/** The shape overrides of the three kernels; STRIDE and PAD are constants (PAD may be 0, and shapes are positive). */
export type ConvGeneralShape = 'C_IN' | 'C_OUT' | 'H' | 'W' | 'KS';
export const CONV_GENERAL_SHAPE: readonly ConvGeneralShape[] = ['C_IN', 'C_OUT', 'H', 'W', 'KS'];

/** The sizes these kernels are tested for (issue 21): channels 1..2048, kernel 1..11, stride 1..4, padding 0..5. */
export const CONV_GENERAL_LIMITS = { channels: 2048, ks: 11, stride: 4, pad: 5 } as const;

/** Why a shape cannot run, or null. */
export function convGeneralProblem(c: Constants): string | null {
  const L = CONV_GENERAL_LIMITS;
  if (c.C_IN > L.channels || c.C_OUT > L.channels) return `channels ${c.C_IN} -> ${c.C_OUT}: at most ${L.channels} each`;
  if (c.KS > L.ks) return `kernel size ${c.KS} is more than ${L.ks}`;
  if (!Number.isInteger(c.STRIDE) || c.STRIDE < 1 || c.STRIDE > L.stride) return `stride ${c.STRIDE} is not an integer from 1 to ${L.stride}`;
  if (!Number.isInteger(c.PAD) || c.PAD < 0 || c.PAD > L.pad) return `padding ${c.PAD} is not an integer from 0 to ${L.pad}`;
  if (c.KS > c.H + 2 * c.PAD || c.KS > c.W + 2 * c.PAD) return `kernel ${c.KS} is larger than the padded ${c.H}x${c.W} input (padding ${c.PAD})`;
  return null;
}

/** Output height and width of the convolution the constants describe. */
export const convGeneralOutput = (c: Constants) => ({
  ho: windowOutput(c.H, c.KS, c.STRIDE, c.PAD),
  wo: windowOutput(c.W, c.KS, c.STRIDE, c.PAD),
});

const CONV_CONSTANTS = { STRIDE: 1, PAD: 0 };

/** Whether the forward takes 4 pixels of the flattened plane rather than of a row (FLAT): where WO < 4. */
export const forwardFlat = (c: Constants): number => (convGeneralOutput(c).wo < 4 ? 1 : 0);

const forwardKernel = defineKernel<'x' | 'w' | 'bias' | 'y', ConvGeneralShape>({
  shader: 'conv2d_general',
  entryPoint: 'forward',
  shape: CONV_GENERAL_SHAPE,
  step: true,
  tunable: true,
  constants: { ...CONV_CONSTANTS, ACT: 0, FLAT: 0 },
  checkConstants: convGeneralProblem,
  grid: (c, rows) => {
    const { ho, wo } = convGeneralOutput(c);
    const pixelQuads = c.FLAT === 1 ? ceilDiv(ho * wo, 4) : ho * ceilDiv(wo, 4);
    return spreadGrid(ceilDiv(rows * ceilDiv(c.C_OUT, 4) * pixelQuads, c.WG));
  },
});

/**
 * y = act(conv2d(x, w) + bias); x: [rows, C_IN, H, W], w: [C_OUT, C_IN, KS, KS], bias: [C_OUT],
 * y: [rows, C_OUT, HO, WO]. ACT (default 0): ACTIVATION_CODES. One invocation per 4 channels x 4 pixels of a row,
 * or of the flattened plane where WO < 4 (FLAT, chosen here from the shape unless the constants give it).
 */
export const conv2dGeneralForward = {
  spec: forwardKernel.spec,
  create(gpu: Gpu, shape: Record<ConvGeneralShape, number>, options: CreateOptions = {}): Promise<BoundKernel<'x' | 'w' | 'bias' | 'y'>> {
    const flat = forwardFlat({ ...CONV_CONSTANTS, ...options.constants, ...shape });
    return forwardKernel.create(gpu, shape, { ...options, constants: { FLAT: flat, ...options.constants } });
  },
};

/** dx [rows, C_IN, H, W] from dy [rows, C_OUT, HO, WO] and w; one invocation per 4 channels x 4 same-phase pixels. */
export const conv2dGeneralInputGrad = defineKernel<'dy' | 'w' | 'dx', ConvGeneralShape>({
  shader: 'conv2d_general',
  entryPoint: 'input_grad',
  shape: CONV_GENERAL_SHAPE,
  step: true,
  tunable: true,
  constants: CONV_CONSTANTS,
  checkConstants: convGeneralProblem,
  grid: (c, rows) => spreadGrid(ceilDiv(rows * ceilDiv(c.C_IN, 4) * c.H * c.STRIDE * ceilDiv(ceilDiv(c.W, c.STRIDE), 4), c.WG)),
});

/**
 * dw [C_OUT, C_IN, KS, KS] and db [C_OUT], summed over the step's rows and output pixels (overwritten, not added
 * to). One workgroup per 4 output channels x 4 consecutive (ci, ky, kx) taps, its WG invocations splitting the
 * rows·HO·WO pixels and adding up in workgroup memory. BIAS 0: db is bound but not written (no bias).
 */
export const conv2dGeneralWeightGrad = defineKernel<'x' | 'dy' | 'dw' | 'db', ConvGeneralShape>({
  shader: 'conv2d_general',
  entryPoint: 'weight_grad',
  shape: CONV_GENERAL_SHAPE,
  step: true,
  tunable: true,
  // WG 16: on lavapipe as fast as 64 where the pixels are many (a 1x1 96->96 layer at 24 px: 1.8x faster) and 2x
  // faster where they are few (ResNet's 4 and 2 px layers), measured at batch 64. Give constants.WG to change it.
  constants: { ...CONV_CONSTANTS, BIAS: 1, WG: 16 },
  // WG·5 vec4 partial sums in workgroup memory: 16 KiB (WebGPU's default limit) allows WG up to 204.
  checkConstants: (c) => convGeneralProblem(c) ?? (c.WG * 80 > 16384 ? `WG ${c.WG} needs more than 16 KiB of workgroup memory` : null),
  grid: (c) => spreadGrid(ceilDiv(c.C_OUT, 4) * ceilDiv(c.C_IN * c.KS * c.KS, 4)),
});
