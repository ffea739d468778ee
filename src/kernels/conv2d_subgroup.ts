/**
 * The convolution kernels' subgroup fast path (shaders/conv2d_forward_subgroup.wgsl): one kernel for a
 * convolution's forward and, fed dy and the transposed flipped weights, its input gradient. Runs where the
 * adapter has one known subgroup size (kernels/subgroups.ts) and W, the output width and PAD are even (vec2s);
 * conv2d_general runs elsewhere.
 */
import type { Gpu } from '../gpu/device.js';
import { CONV_SHAPE, type ConvShape, convOutput, convProblem } from './conv2d_shape.js';
import { ceilDiv, defineKernel } from './kernel.js';
import { subgroupSize } from './subgroups.js';

export const MAX_CONV_TILE = 8; // the shader's MAX_RP: R·PV
const MAX_WPL = 5; // the shader's MAX_WPL: weight vec4s per lane for one kernel row

/** Why conv2d_forward_subgroup cannot take these shape and constants, or null. */
/** conv2d_forward_subgroup's accumulators: at most 16 output channels and a 5x5 kernel. */
const FORWARD_LIMITS = { maxOut: 16, maxKs: 5 };

function forwardProblem(c: Readonly<Record<string, number>>): string | null {
  return (
    convProblem(c, FORWARD_LIMITS) ??
    (c.W % 2 !== 0 || convOutput(c.W, c.KS, c.PAD) % 2 !== 0 ? `W and the output width must be even (read and written as vec2), not ${c.W} and ${convOutput(c.W, c.KS, c.PAD)}`
    : c.PAD % 2 !== 0 ? `PAD must be even, not ${c.PAD}`
    : !(c.R >= 1 && c.PV >= 1 && Number.isInteger(c.R) && Number.isInteger(c.PV) && c.R * c.PV <= MAX_CONV_TILE) ? `R·PV must be 1 to ${MAX_CONV_TILE}, not ${c.R}·${c.PV}`
    : !(Number.isInteger(c.CG) && c.CG >= 1 && c.CG <= 4) ? `CG must be 1 to 4, not ${c.CG}`
    : c.WG !== c.SG ? `the workgroup (${c.WG}) must be one subgroup (${c.SG})`
    : c.POOLED && c.R % 2 !== 0 ? `a pooled output needs an even R (rows of 2x2 windows), not ${c.R}`
    : ceilDiv(c.KS * c.CG, c.SG) > MAX_WPL ? `subgroup size ${c.SG} is too small for ${c.KS} taps of ${4 * c.CG} channels`
    : null)
  );
}

/** Why the resident u8 images cannot be a convolution's input (each image whole words, as the dataset packs it), or null. */
const u8Problem = (c: Readonly<Record<string, number>>): string | null =>
  (c.C_IN * c.H * c.W) % 4 !== 0 ? `a u8 image of ${c.C_IN}x${c.H}x${c.W} pixels is not whole words (4 pixels each)` : null;

const FORWARD = {
  shape: CONV_SHAPE,
  step: true,
  tunable: true,
  constants: { PAD: 0, ACT: 0, BIAS: 1, SG: 8, R: 1, PV: 1, CG: 1, POOLED: 0, POOL: 0 },
  // One workgroup (one subgroup) per tile of SG images.
  grid: (c: Readonly<Record<string, number>>, rows: number): [number, number, number] => [ceilDiv(rows, c.SG) * ceilDiv(convOutput(c.H, c.KS, c.PAD), c.R) * ceilDiv(convOutput(c.W, c.KS, c.PAD), 4 * c.PV), 1, ceilDiv(ceilDiv(c.C_OUT, 4), c.CG)],
} as const;

/**
 * y = act(conv2d(x, w) + bias) (conv2d_forward's sum) and, with POOLED, its 2x2 pooling (POOL: POOL_CODES) into
 * `pooled` [rows, C_OUT, HO / 2, WO / 2] from the same registers (R even); without it `pooled` is not written.
 * x: f32 activations [rows, C_IN, H, W] (prelude/conv2d_input_f32.wgsl).
 */
export const conv2dForwardSubgroup = defineKernel<'x' | 'w' | 'bias' | 'y' | 'pooled', ConvShape>({
  ...FORWARD,
  shader: 'conv2d_forward_subgroup',
  preludes: ['prelude/conv2d_input_f32'],
  checkConstants: forwardProblem,
});

/**
 * conv2dForwardSubgroup for a first layer: its input is the resident u8 dataset, row r being images[order[row0 +
 * r]] / 255 (prelude/conv2d_input_u8.wgsl), and it writes the step's labels into `targets` [rows] u32: the
 * minibatch is never gathered.
 */
export const conv2dForwardU8Subgroup = defineKernel<'images' | 'order' | 'labels' | 'targets' | 'w' | 'bias' | 'y' | 'pooled', ConvShape>({
  ...FORWARD,
  shader: 'conv2d_forward_subgroup',
  preludes: ['prelude/conv2d_input_u8'],
  checkConstants: (c) => forwardProblem(c) ?? u8Problem(c),
});

/** The subgroup size for a convolution of this shape (W, its output width and PAD even), or null for the generic kernels. */
export function convSubgroupFor(gpu: Gpu, c: { W: number; KS: number; PAD: number }): number | null {
  const sg = subgroupSize(gpu);
  return sg !== null && sg >= 4 && c.W % 2 === 0 && convOutput(c.W, c.KS, c.PAD) % 2 === 0 && c.PAD % 2 === 0 ? sg : null;
}

type Conv = Record<ConvShape | 'PAD', number>;

/**
 * The input gradient of convolution `c` as conv2d_forward_subgroup's correlation: dy [rows, C_OUT, HO, WO] is its
 * input, padded by KS - 1 - PAD, and dx [rows, C_IN, H, W] its output, with the weights packed by
 * inputGradPack with FLIP. Null where that is no subgroup shape (PAD > KS - 1, WO or KS - 1 - PAD odd, or more
 * input channels than the forward's 16 outputs).
 */
export function inputGradAsForward(c: Conv): Conv | null {
  const pad = c.KS - 1 - c.PAD;
  const wo = convOutput(c.W, c.KS, c.PAD);
  if (pad < 0 || pad % 2 !== 0 || wo % 2 !== 0) return null;
  const asForward = { C_IN: c.C_OUT, C_OUT: c.C_IN, H: convOutput(c.H, c.KS, c.PAD), W: wo, KS: c.KS, PAD: pad };
  return convProblem(asForward, FORWARD_LIMITS) === null ? asForward : null;
}

/** Why conv2d_weight_grad_subgroup cannot take these shape and constants, or null. */
function weightGradProblem(c: Readonly<Record<string, number>>): string | null {
  const wo = convOutput(c.W, c.KS, c.PAD);
  return (
    convProblem(c, { maxOut: 16, maxKs: 5 }) ??
    (c.W % 2 !== 0 || wo % 2 !== 0 ? `W and the output width must be even (read as vec2), not ${c.W} and ${wo}`
    : wo > 32 ? `the output width ${wo} is more than 32`
    : c.PAD % 2 !== 0 ? `PAD must be even, not ${c.PAD}`
    : c.WG % c.SG !== 0 ? `the workgroup (${c.WG}) must be a multiple of the subgroup size (${c.SG})`
    : !(Number.isInteger(c.CQ) && c.CQ >= 1 && c.CQ <= 4) ? `CQ must be 1 to 4, not ${c.CQ}`
    : ceilDiv((c.CQ * wo) / 2, c.SG) > 16 ? `subgroup size ${c.SG} is too small for ${c.CQ} rows of ${wo}`
    : !(Number.isInteger(c.S) && c.S >= 1) ? `S must be a positive integer, not ${c.S}`
    : null)
  );
}

const WEIGHT_GRAD = {
  shape: CONV_SHAPE,
  step: true,
  tunable: true,
  constants: { PAD: 0, SG: 8, S: 8, CQ: 4 },
  grid: (c: Readonly<Record<string, number>>): [number, number, number] => [ceilDiv(c.C_IN * c.KS, c.WG), c.S, ceilDiv(c.C_OUT, c.CQ)],
} as const;

/** Partial sums of a stride-1 convolution's dw, db over S chunks of the output rows (conv2d_weight_grad_reduce adds them); x f32. */
export const conv2dWeightGradSubgroup = defineKernel<'x' | 'dy' | 'partial', ConvShape>({
  ...WEIGHT_GRAD,
  shader: 'conv2d_weight_grad_subgroup',
  preludes: ['prelude/conv2d_input_f32', 'prelude/conv2d_dy_direct'],
  checkConstants: weightGradProblem,
});

/** conv2dWeightGradSubgroup for a first layer: x is the resident u8 dataset in the step's order (as conv2dForwardU8Subgroup). */
export const conv2dWeightGradU8Subgroup = defineKernel<'images' | 'order' | 'dy' | 'partial', ConvShape>({
  ...WEIGHT_GRAD,
  shader: 'conv2d_weight_grad_subgroup',
  preludes: ['prelude/conv2d_input_u8', 'prelude/conv2d_dy_direct'],
  checkConstants: (c) => weightGradProblem(c) ?? u8Problem(c),
});

/**
 * conv2dWeightGradU8Subgroup where the convolution's activation a is 2x2-pooled: dy is made on the fly from
 * dpooled [rows, C_OUT, HO / 2, WO / 2] and a [rows, C_OUT, HO, WO] (pool_backward's sum with the activation's
 * slope: POOL, ACT, prelude/pool_window_grad.wgsl, as pool_backward_vec2), so the full-size dy is never written
 * (prelude/conv2d_dy_unpool.wgsl).
 */
export const conv2dWeightGradU8UnpoolSubgroup = defineKernel<'images' | 'order' | 'a' | 'dpooled' | 'partial', ConvShape>({
  ...WEIGHT_GRAD,
  constants: { ...WEIGHT_GRAD.constants, POOL: 0, ACT: 0 },
  shader: 'conv2d_weight_grad_subgroup',
  preludes: ['prelude/conv2d_input_u8', 'prelude/pool_window_grad', 'prelude/conv2d_dy_unpool'],
  checkConstants: (c) =>
    weightGradProblem(c) ?? u8Problem(c) ?? (convOutput(c.H, c.KS, c.PAD) % 2 !== 0 ? `the output height ${convOutput(c.H, c.KS, c.PAD)} must be even (whole 2x2 windows)` : null),
});

/** dw, db = the sums of conv2d_weight_grad_subgroup's S partials. */
export const conv2dWeightGradReduce = defineKernel<'partial' | 'dw' | 'db', 'DW' | 'C_OUT'>({
  shader: 'conv2d_weight_grad_reduce',
  shape: ['DW', 'C_OUT'],
  step: false,
  tunable: true,
  constants: { S: 8 },
  grid: (c) => [ceilDiv(c.DW + c.C_OUT, c.WG)],
});

/** Whether conv2d_weight_grad_subgroup takes this convolution (its output width even as well). */
export function weightGradSubgroupFor(gpu: Gpu, c: Record<ConvShape | 'PAD', number>): number | null {
  const sg = convSubgroupFor(gpu, c);
  const wo = convOutput(c.W, c.KS, c.PAD);
  return sg !== null && wo % 2 === 0 && wo <= 32 && ceilDiv((4 * wo) / 2, sg) <= 16 ? sg : null;
}
