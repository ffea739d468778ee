/**
 * The network's fusion of a small stride-1 convolution with what follows it: Conv2d → [ReLU | Sigmoid] →
 * [MaxPool2d(2) | AvgPool2d(2)], run by the subgroup convolution kernels (nn/conv2d_kernels.ts) where the adapter
 * and the shape allow: the activation and the 2x2 pooling are computed from the forward kernel's registers (one
 * dispatch instead of three), and the backward starts from pool_backward with the activation's slope fused (or
 * the activation's own backward), as LeNet's hand-written step did. Any other convolution runs conv2d_general
 * (nn/network.ts).
 *
 *   forward:  conv2d_weight_pack → conv2d_forward_subgroup (+ act, + pool)          y [B, C_out, HO, WO] (act'd),
 *                                                                                  pooled [B, C_out, HO/2, WO/2]
 *   backward: pool_backward (act' fused) | activation backward → dz [B, C_out, HO, WO]
 *             → conv2d_weight_grad_subgroup → conv2d_weight_grad_reduce            dw, db
 *             → conv2d_weight_pack (flipped) → conv2d_forward_subgroup as dy ⋆ w   dx [B, C_in, H, W]
 * As a network's first layer (NodeInput.images) it reads the resident u8 images in the step's order itself, so
 * no minibatch is gathered, and its weight gradient makes dz from the pooled gradient on the fly (never written).
 */
import { createBuffer } from '../gpu/buffers.js';
import type { Gpu } from '../gpu/device.js';
import { ACTIVATION_CODES, activationBackward } from '../kernels/activation.js';
import type { ConvDims } from '../kernels/conv2d_shape.js';
import { convOut } from '../kernels/conv2d_shape.js';
import { conv2dWeightPack, forwardPack, inputGradPack, packedBytes } from '../kernels/conv2d_weight_pack.js';
import { poolBackwardFor } from '../kernels/pool_backward.js';
import { POOL_CODES } from '../kernels/pool_forward.js';
import { elementsOf } from '../model/tensors.js';
import { convReadsImages, convShape, createConvForward, createConvInputGrad, createConvWeightGrad, subgroupConv } from './conv2d_kernels.js';
import type { Dispatch } from '../kernels/kernel.js';
import type { LayerDecl } from './declare.js';
import { BackwardCache, type NetworkContext, type Node, type NodeInput, tensor, trainable } from './network.js';

/** A run of layers the block takes: the convolution, its activation and its 2x2 pooling, each but the first optional. */
export interface ConvBlock {
  conv: Extract<LayerDecl, { type: 'Conv2d' }>;
  dims: ConvDims;
  /** ACTIVATION_CODES of the activation fused (0: none). */
  act: number;
  /** POOL_CODES of the 2x2 / stride-2 pooling fused, or null. */
  pool: number | null;
  /** Layers taken from the Sequential, the convolution included. */
  length: number;
}

const isWindow2 = (l: LayerDecl | undefined): l is Extract<LayerDecl, { type: 'MaxPool2d' | 'AvgPool2d' }> =>
  (l?.type === 'MaxPool2d' || l?.type === 'AvgPool2d') && l.kernelSize === 2 && l.stride === 2 && l.padding === 0;

/**
 * The sizes of `layer` on an input of `shape` [C, H, W] where it is a convolution the subgroup kernels take on
 * this adapter (a block's first layer, in a Sequential), else null. The dense tile sweep
 * (tools/bench/conv_problems.ts) asks it which convolutions leave the contraction template.
 */
export function convBlockDims(gpu: Gpu, layer: LayerDecl, shape: readonly number[]): ConvDims | null {
  if (layer.type !== 'Conv2d' || layer.stride !== 1 || shape.length !== 3) return null;
  const dims: ConvDims = { cIn: layer.inChannels, cOut: layer.outChannels, h: shape[1], w: shape[2], ks: layer.kernelSize, pad: layer.padding };
  return subgroupConv(gpu, dims) ? dims : null;
}

/** The block starting at layers[i] on an input of `shape` [C, H, W], or null where the subgroup kernels do not take it. */
export function convBlockAt(ctx: NetworkContext, layers: readonly LayerDecl[], i: number, shape: readonly number[]): ConvBlock | null {
  const conv = layers[i];
  const dims = convBlockDims(ctx.gpu, conv, shape);
  if (conv.type !== 'Conv2d' || dims === null) return null;
  let length = 1;
  let act: number = ACTIVATION_CODES.none;
  const next = layers[i + 1];
  if (next?.type === 'ReLU' || next?.type === 'Sigmoid') {
    act = next.type === 'ReLU' ? ACTIVATION_CODES.relu : ACTIVATION_CODES.sigmoid;
    length++;
  }
  const window = layers[i + length];
  let pool: number | null = null;
  // The forward pools whole 2x2 windows of an R-row tile: an even output height and width.
  const { ho, wo } = convOut(dims);
  if (isWindow2(window) && ho % 2 === 0 && wo % 2 === 0) {
    pool = window.type === 'MaxPool2d' ? POOL_CODES.max : POOL_CODES.avg;
    length++;
  }
  return { conv, dims, act, pool, length };
}

/** Builds `block` on `input`; `prefix` is the convolution's state_dict path (its weight and bias). */
export async function convBlockNode(ctx: NetworkContext, block: ConvBlock, input: NodeInput, prefix: string): Promise<Node> {
  const { gpu, maxRows } = ctx;
  const { dims: c, act, pool } = block;
  const { ho, wo } = convOut(c);
  const rowsBuffer = (label: string, shape: readonly number[]) => createBuffer(gpu.device, label, maxRows * elementsOf(shape) * 4);
  const [w, b] = [tensor(ctx, `${prefix}.weight`), tensor(ctx, `${prefix}.bias`)];
  const yShape = [c.cOut, ho, wo];
  const pooledShape = [c.cOut, Math.floor(ho / 2), Math.floor(wo / 2)];
  const y = rowsBuffer(`${prefix}.output`, yShape); // [B, C_out, HO, WO] after the activation
  const pooled = pool === null ? createBuffer(gpu.device, `${prefix}.pooled (unused)`, 16) : rowsBuffer(`${prefix}.pooled`, pooledShape); // [B, C_out, HO/2, WO/2]
  const packed = createBuffer(gpu.device, `${prefix}.weight packed`, packedBytes(forwardPack(convShape(c)))); // 4 output channels per vec4
  // The first layer reads the u8 images itself where its kernels can (no gather_minibatch runs then).
  const images = input.images && !input.needsGrad && convReadsImages(gpu, c) ? input.images : null;
  const [pack, bindForward] = await Promise.all([conv2dWeightPack.create(gpu, forwardPack(convShape(c))), createConvForward(gpu, c, maxRows, act, pool, images !== null, ctx.tuning.conv)]);
  const packGroup = pack.bind({ w, packed });
  const forwardList = bindForward(images ?? { x: input.buffer }, packed, b, y, pooled);
  const output = pool === null ? y : pooled;
  const shape = pool === null ? yShape : pooledShape;
  const own = [y, pooled, packed];
  const forward = (pass: Parameters<Node['forward']>[0], step: GPUBindGroup) => {
    // The weights change every step: packed again before the forward (the pack reads no step uniform).
    pack.encode(pass, packGroup);
    for (const [k, g] of forwardList) k.encode(pass, g, step);
  };
  if (!ctx.training) {
    return {
      output,
      shape,
      bytes: own.reduce((n, buffer) => n + buffer.size, 0),
      readsImages: images !== null,
      forward,
      backward() {
        throw new Error('network: backward of an evaluation network');
      },
      destroy: () => own.forEach((buffer) => buffer.destroy()),
    };
  }
  const dw = trainable(ctx, `${prefix}.weight`, [c.cOut, c.cIn, c.ks, c.ks], true);
  const db = trainable(ctx, `${prefix}.bias`, [c.cOut], false);
  // ∂l/∂z of the convolution's sum: from the pooled gradient with the slope fused, the activation's backward, or dy
  // itself. Reading the images, the weight gradient makes it from the pooled gradient on the fly (never written).
  const unpoolInWeightGrad = images !== null && pool !== null;
  const unpoolKernel = pool === null || unpoolInWeightGrad ? null : poolBackwardFor({ H: ho, W: wo });
  const [unpool, actBackward, weightGrad, inputGrad] = await Promise.all([
    unpoolKernel ? unpoolKernel.create(gpu, { C: c.cOut, H: ho, W: wo }, { rows: maxRows, constants: { POOL: pool ?? 0, ACT: act } }) : null,
    pool === null && act !== ACTIVATION_CODES.none ? activationBackward.create(gpu, { N: elementsOf(yShape) }, { rows: maxRows, constants: { ACT: act } }) : null,
    createConvWeightGrad(gpu, c, maxRows, ctx.tuning.conv, images !== null, unpoolInWeightGrad ? { pool: pool ?? 0, act } : undefined),
    input.needsGrad ? createConvInputGrad(gpu, c, maxRows, ctx.tuning.conv) : null,
  ]);
  const dz = unpool || actBackward ? rowsBuffer(`${prefix}.output.grad`, yShape) : null; // [B, C_out, HO, WO]
  const packedT = inputGrad?.pack ? createBuffer(gpu.device, `${prefix}.weight packed for dx`, packedBytes(inputGradPack(convShape(c)))) : null; // 4 input channels per vec4
  const dx = inputGrad ? rowsBuffer(`${prefix}.input.grad`, input.shape) : null; // [B, C_in, H, W]
  const packTGroup = inputGrad?.pack && packedT ? inputGrad.pack.bind({ w, packed: packedT }) : null;
  const backwardOwn = [dz, packedT, dx, ...weightGrad.buffers, ...(inputGrad?.buffers ?? [])].filter((x): x is GPUBuffer => x !== null);
  const cache = new BackwardCache();
  return {
    output,
    shape,
    bytes: [...own, ...backwardOwn, dw, db].reduce((n, buffer) => n + buffer.size, 0),
    readsImages: images !== null,
    forward,
    backward(pass, dOut, step) {
      // conv2d_forward_subgroup reads the flipped weights as its packed input (the weights stay until the optimizer runs).
      if (inputGrad?.pack && packTGroup) inputGrad.pack.encode(pass, packTGroup);
      cache.run(pass, dOut, step, () => {
        const list: Dispatch[] = [];
        const d = dz ?? dOut;
        if (unpool && dz) list.push([unpool as never, unpool.bind({ a: y, dy: dOut, dx: dz })]);
        if (actBackward && dz) list.push([actBackward as never, actBackward.bind({ x: y, dy: dOut, out: dz })]);
        const x = images ? { images: images.images, order: images.order } : { x: input.buffer };
        list.push(...weightGrad.bind(x, unpoolInWeightGrad ? { a: y, dpooled: dOut } : { dy: d }, dw, db));
        if (inputGrad && dx) list.push([inputGrad.kernel as never, inputGrad.bind(d, w, packedT, dx)]);
        return list;
      });
      return dx;
    },
    destroy() {
      for (const buffer of [...own, ...backwardOwn]) buffer.destroy();
    },
  };
}
