/**
 * The subgroup convolution kernels of a stride-1 convolution with at most 16 output channels and a kernel of at
 * most 5 (LeNet's and BatchNorm LeNet's), chosen where the adapter has one subgroup size and the shape allows
 * (kernels/conv2d_subgroup.ts). The network (nn/network.ts) runs them for any Conv2d they take, fusing a
 * following activation and 2x2 pooling into the forward; every other convolution runs conv2d_general or, where
 * large enough, implicit GEMM (kernels/conv2d_implicit_gemm.ts). They stay beside the contraction template because
 * it cannot take LeNet's first convolution (6 output channels; the template's are vec4s) and runs its second
 * (6 -> 16, 5x5, 14 px, batch 256, with its sigmoid) in 17-19 ms plus 1 ms of pooling, against 7-8 ms for this
 * block with the pooling (lavapipe, 2026-12-06).
 *
 *   forward:      conv2d_weight_pack → conv2d_forward_subgroup (act, and the 2x2 pooling from its registers)
 *   weight grad:  conv2d_weight_grad_subgroup (S partials) → conv2d_weight_grad_reduce
 *   input grad:   conv2d_weight_pack (FLIP) → conv2d_forward_subgroup as the correlation of dy with the flipped
 *                 kernel, or conv2d_general's input_grad where that shape does not fit
 */
import { createBuffer } from '../gpu/buffers.js';
import type { Gpu } from '../gpu/device.js';
import { type ConvTiles, convTile, weightGradTile } from '../gpu/tuning.js';
import { type ConvDims, convOut, convProblem } from '../kernels/conv2d_shape.js';
import { conv2dGeneralInputGrad } from '../kernels/conv2d_general.js';
import {
  conv2dForwardSubgroup,
  conv2dForwardU8Subgroup,
  conv2dWeightGradReduce,
  conv2dWeightGradSubgroup,
  conv2dWeightGradU8Subgroup,
  conv2dWeightGradU8UnpoolSubgroup,
  convSubgroupFor,
  inputGradAsForward,
  weightGradSubgroupFor,
} from '../kernels/conv2d_subgroup.js';
import { conv2dWeightPack, inputGradPack } from '../kernels/conv2d_weight_pack.js';
import type { BoundKernel, Dispatch } from '../kernels/kernel.js';

export const convShape = (c: ConvDims) => ({ C_IN: c.cIn, C_OUT: c.cOut, H: c.h, W: c.w, KS: c.ks });

/**
 * A convolution's input: f32 activations x [rows, C, H, W], or, for the first layer where the subgroup kernels
 * run, the resident u8 dataset read in the step's order (images, order, labels; the forward also writes the
 * step's labels into `targets`): then no gather_minibatch runs.
 */
export type ConvInput = { x: GPUBuffer } | { images: GPUBuffer; order: GPUBuffer; labels: GPUBuffer; targets: GPUBuffer };

/** Whether the subgroup kernels take convolution `c` both ways (forward and weight gradient) on this adapter. */
export function subgroupConv(gpu: Gpu, c: ConvDims): boolean {
  const shape = { ...convShape(c), PAD: c.pad };
  return convProblem(shape, { maxOut: 16, maxKs: 5 }) === null && convSubgroupFor(gpu, shape) !== null && weightGradSubgroupFor(gpu, shape) !== null;
}

/** Whether each of convolution `c`'s input images is whole u8 words (4 pixels each), as the dataset packs it. */
export const imagesAreWords = (c: ConvDims): boolean => (c.cIn * c.h * c.w) % 4 === 0;

/** Whether convolution `c` can read the u8 images itself: both of its subgroup kernels run and each image is whole words. */
export function convReadsImages(gpu: Gpu, c: ConvDims): boolean {
  return subgroupConv(gpu, c) && imagesAreWords(c);
}

/**
 * A convolution's forward with its activation (ACTIVATION_CODES) and, where `pool` is a POOL_CODES code, its 2x2
 * pooling: conv2d_forward_subgroup pooling from its registers (its u8 twin for `images`); blocks are built only where
 * the adapter has one subgroup size and the shape allows it (subgroupConv). Returns the dispatches, in
 * order, for one binding of the input, the packed weights (forwardPack), bias, y (after the activation) and the
 * pooled output (any buffer but y where `pool` is null: it is not written). `tiles`: the model's StepContext.tuning.conv.
 */
export async function createConvForward(gpu: Gpu, c: ConvDims, rows: number, act: number, pool: number | null, images: boolean, tiles: ConvTiles) {
  type Dispatches = (input: ConvInput, w: GPUBuffer, bias: GPUBuffer, y: GPUBuffer, pooled: GPUBuffer) => Dispatch[];
  const sg = convSubgroupFor(gpu, { W: c.w, KS: c.ks, PAD: c.pad });
  const pooled = pool !== null;
  if (sg) {
    const options = { rows, workgroup: sg, constants: { PAD: c.pad, ACT: act, SG: sg, POOLED: pooled ? 1 : 0, POOL: pool ?? 0, ...convTile(c.cOut, c.pad, pooled, tiles) } };
    const k = await (images ? conv2dForwardU8Subgroup : conv2dForwardSubgroup).create(gpu, convShape(c), options);
    const bind: Dispatches = (input, w, bias, y, out) => [[k as BoundKernel<never>, (k as BoundKernel<string>).bind({ ...input, w, bias, y, pooled: out })]];
    return bind;
  }
  // A block is built only where subgroupConv(gpu, c) holds (nn/conv_block.ts convBlockAt); other convolutions are
  // plain Conv2d nodes (conv2d_general or implicit GEMM).
  throw new Error(`conv2d: no subgroup forward for ${JSON.stringify(c)} on this adapter; a convolution block needs subgroupConv`);
}

/** Where a convolution's dy comes from: as it is, or made from the gradient of its pooled activation (the u8 unpool kernel). */
export type DySource = { dy: GPUBuffer } | { a: GPUBuffer; dpooled: GPUBuffer };

/**
 * A convolution's dw, db: conv2d_weight_grad_subgroup's partial sums over S chunks of rows (its u8 twin for
 * `images`; with `unpool`, the u8 twin that makes dy from the pooled gradient and the activation) and
 * conv2d_weight_grad_reduce (the partials in `buffers`, created here), where subgroupConv holds.
 * Returns the dispatches, in order, for one binding of the input (x, or images and order), dy (or a and dpooled),
 * dw and db. `tiles`: the model's StepContext.tuning.conv.
 */
export async function createConvWeightGrad(gpu: Gpu, c: ConvDims, rows: number, tiles: ConvTiles, images: boolean, unpool?: { pool: number; act: number }) {
  type Dispatches = (input: { x: GPUBuffer } | { images: GPUBuffer; order: GPUBuffer }, dy: DySource, dw: GPUBuffer, db: GPUBuffer) => Dispatch[];
  const shape = convShape(c);
  const sg = weightGradSubgroupFor(gpu, { ...shape, PAD: c.pad });
  if (sg) {
    const { S, ...tile } = weightGradTile({ cOut: c.cOut, wo: convOut(c).wo, ks: c.ks }, tiles);
    const sums = c.cOut * c.cIn * c.ks * c.ks + c.cOut;
    const options = { rows, workgroup: sg, constants: { PAD: c.pad, SG: sg, S, ...tile, ...(unpool ? { POOL: unpool.pool, ACT: unpool.act } : {}) } };
    const kernel = unpool ? conv2dWeightGradU8UnpoolSubgroup : images ? conv2dWeightGradU8Subgroup : conv2dWeightGradSubgroup;
    const [main, reduce] = await Promise.all([
      kernel.create(gpu, shape, options),
      conv2dWeightGradReduce.create(gpu, { DW: sums - c.cOut, C_OUT: c.cOut }, { constants: { S } }),
    ]);
    const partial = createBuffer(gpu.device, 'conv dw partials', S * sums * 4); // [S, C_OUT·C_IN·KS·KS + C_OUT]
    const bind: Dispatches = (input, dy, dw, db) => [
      [main as BoundKernel<never>, (main as BoundKernel<string>).bind({ ...input, ...dy, partial })],
      [reduce as BoundKernel<never>, reduce.bind({ partial, dw, db })],
    ];
    return { buffers: [partial], bind };
  }
  throw new Error(`conv2d: no subgroup weight gradient for ${JSON.stringify(c)} on this adapter; a convolution block needs subgroupConv`);
}

/**
 * A convolution's input gradient dx from dy: conv2d_forward_subgroup as the correlation of dy with the flipped
 * kernel where it applies (with its weight pack: inputGradPack, FLIP), else conv2d_general's input_grad (stride 1,
 * the weights as they are; pack null); bind(dy, w, packed, dx) names the buffers. `tiles`: the model's StepContext.tuning.conv.
 */
export async function createConvInputGrad(gpu: Gpu, c: ConvDims, rows: number, tiles: ConvTiles) {
  const shape = convShape(c);
  const asForward = inputGradAsForward({ ...shape, PAD: c.pad });
  const sg = asForward && convSubgroupFor(gpu, asForward);
  if (asForward && sg) {
    const pack = await conv2dWeightPack.create(gpu, inputGradPack(shape), { constants: { FLIP: 1 } });
    const { PAD, ...dims } = asForward;
    const k = await conv2dForwardSubgroup.create(gpu, dims, { rows, workgroup: sg, constants: { PAD, BIAS: 0, SG: sg, ...convTile(dims.C_OUT, PAD, false, tiles) } });
    // BIAS 0 and POOLED 0: the bias and pooled bindings are not used (bias: any buffer; pooled: its own, since two
    // writable bindings of one buffer are refused).
    const unused = createBuffer(gpu.device, 'conv dx: pooled (unused)', 16);
    return { pack, kernel: k, buffers: [unused], bind: (dy: GPUBuffer, _w: GPUBuffer, packed: GPUBuffer | null, dx: GPUBuffer) => k.bind({ x: dy, w: packed ?? _w, bias: _w, y: dx, pooled: unused }) };
  }
  // conv2d_general reads the weights as they are (no pack).
  const k = await conv2dGeneralInputGrad.create(gpu, shape, { rows, constants: { STRIDE: 1, PAD: c.pad } });
  return { pack: null, kernel: k, buffers: [] as GPUBuffer[], bind: (dy: GPUBuffer, w: GPUBuffer, _packed: GPUBuffer | null, dx: GPUBuffer) => k.bind({ dy, w, dx }) };
}
