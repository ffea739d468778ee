/**
 * The GPU memory a declared network's training takes at a batch size, without a GPU: the buffers nn/network.ts
 * and nn/model.ts allocate, walked from the declaration by the same rules (each node's output, its input's gradient
 * where something below needs it, its parameters' gradients, BatchNorm's step statistics, a Concat's branch
 * gradients, the gather's x0 and the loss), each padded as gpu/buffers.ts pads it. Not counted: the resident
 * dataset and an optimizer's state. Where the adapter runs a small convolution with its activation and pooling as
 * one subgroup block (nn/conv_block.ts), or a convolution as implicit GEMM (kernels/conv2d_implicit_gemm.ts: packed
 * weights), `fusion` says so and those buffers are counted instead. `summary` prints it; a test holds it equal to what a built step reports.
 * Also here, as they follow from the same walk: what one storage binding allows (a batch whose largest activation
 * passes it runs in chunks of rows: chunkRowsFor, mostRowsPerChunk; a parameter or one image past it: bindingProblem).
 */
import { paddedSize } from '../gpu/buffers.js';
import { elementsOf } from '../model/tensors.js';
import { containsLayer, type LayerDecl, nn, outputShape, parameterInfo } from './declare.js';
import type { ConvBlock } from './conv_block.js';
import { convShape, imagesAreWords } from './conv2d_kernels.js';
import { activationAfter, convDims, linearFusion } from './network.js';
import { ACTIVATION_CODES, convOut } from '../kernels/conv2d_shape.js';
import { forwardPack, inputGradPack, packedBytes } from '../kernels/conv2d_weight_pack.js';
import { inputGradAsForward } from '../kernels/conv2d_subgroup.js';
import { type ConvTiles, weightGradTile } from '../gpu/tuning.js';
import { type ConvDims, forwardWeightPack, inputGradWeightPack } from '../kernels/conv2d_implicit_gemm.js';

const hasTrainables = (layer: LayerDecl, input: readonly number[]): boolean => parameterInfo(layer, input).some(([, p]) => p.trainable);

/** Bytes of the buffers node `layer` owns in a training network of `rows` rows (nn/network.ts's Node.bytes). */
function nodeBytes(layer: LayerDecl, input: readonly number[], needsGrad: boolean, rows: number, fusion: Fusion = {}): number {
  const shape = outputShape(layer, input);
  const act = (s: readonly number[]) => paddedSize(rows * elementsOf(s) * 4);
  const dx = needsGrad ? act(input) : 0;
  // What a layer below the first is built with: the same blocks, never the images (nor in a branch: network.ts).
  const inner: Fusion = { blockAt: fusion.blockAt, implicitGemm: fusion.implicitGemm, conv: fusion.conv };
  const grads = parameterInfo(layer, input).filter(([, p]) => p.trainable).reduce((n, [, p]) => n + paddedSize(elementsOf(p.shape) * 4), 0);
  switch (layer.type) {
    case 'Linear':
      return act(shape) + grads + dx;
    case 'Conv2d': {
      const d = convDims(layer, input);
      const gemm = fusion.implicitGemm?.(d);
      if (!gemm) return act(shape) + grads + dx;
      // The packed weights; for an input gradient through the template, the transposed pack and a zero bias.
      const gemmDx = needsGrad && gemm.inputGrad ? paddedSize(packedBytes(inputGradWeightPack(d))) + paddedSize(d.C_IN * 4) : 0;
      return act(shape) + grads + dx + paddedSize(packedBytes(forwardWeightPack(d))) + gemmDx;
    }
    case 'BatchNorm1d':
    case 'BatchNorm2d':
      return act(shape) + 2 * paddedSize(layer.numFeatures * 4) + grads + dx;
    case 'MaxPool2d':
    case 'AvgPool2d':
    case 'AdaptiveAvgPool2d':
    case 'ReLU':
    case 'Sigmoid':
      return act(shape) + dx;
    case 'Dropout':
      return layer.p === 0 ? 0 : act(shape) + dx;
    case 'Flatten':
    case 'Identity':
      return 0;
    case 'Sequential': {
      let total = 0;
      let at = input;
      let grad = needsGrad;
      for (let i = 0; i < layer.layers.length; i++) {
        const l = layer.layers[i];
        // Only the first layer is offered the images, as nn/network.ts hands them down.
        const here = i === 0 ? fusion : inner;
        const block = fusion.blockAt?.(layer.layers, i, at);
        const linear = linearFusion(layer.layers, i);
        const convFused = !block && l.type === 'Conv2d' && activationAfter(layer.layers, i, 'Conv2d') !== ACTIVATION_CODES.none && fusion.implicitGemm?.(convDims(l, at));
        if (activationAfter(layer.layers, i, 'BatchNorm') !== ACTIVATION_CODES.none) {
          // A BatchNorm with its activation (nn/network.ts batchNormNode): the BatchNorm's buffers alone.
          total += nodeBytes(l, at, grad, rows, here);
          grad = true;
          i++;
          continue;
        }
        if (linear.act || convFused) {
          // One node with the activation after it (nn/network.ts linearNode, convGemmNode): its output after the
          // activation, and the gradient before it unless the next Linear applies the slope.
          const out = outputShape(l, at);
          total += nodeBytes(l, at, grad, rows, here) + (linear.slopeBelow ? 0 : act(out));
          grad = true;
          at = out;
          i++;
          continue;
        }
        if (block) {
          total += blockBytes(block, at, grad, rows, here.images === true, fusion.conv);
          grad = true;
          at = outputShape(nn.Sequential(...layer.layers.slice(i, i + block.length)), at);
          i += block.length - 1;
          continue;
        }
        total += nodeBytes(l, at, grad, rows, here);
        grad = grad || hasTrainables(l, at);
        at = outputShape(l, at);
      }
      return total;
    }
    case 'Residual':
      return act(shape) + dx + nodeBytes(layer.body, input, needsGrad, rows, inner) + (layer.shortcut ? nodeBytes(layer.shortcut, input, needsGrad, rows, inner) : 0);
    case 'Concat': {
      const branches = layer.branches.reduce((n, b) => n + nodeBytes(b, input, needsGrad, rows, inner) + act(outputShape(b, input)), 0);
      return act(shape) + (needsGrad && layer.branches.length > 1 ? dx : 0) + branches;
    }
  }
}

/**
 * Which runs of layers an adapter fuses into convolution blocks (nn/conv_block.ts: convBlockAt on its GPU), and
 * whether the network's first layer is offered the u8 images (it reads the data at its stored size), and the tiles
 * the blocks are built with (the step's StepContext.tuning.conv; default the table, gpu/tuning.ts CONV_TILES).
 */
export interface Fusion {
  blockAt?: (layers: readonly LayerDecl[], i: number, shape: readonly number[]) => ConvBlock | null;
  /** Which parts of a convolution run as implicit GEMM (kernels/conv2d_implicit_gemm.ts implicitGemmParts), or null. */
  implicitGemm?: (d: ConvDims) => { inputGrad: boolean } | null;
  images?: boolean;
  conv?: ConvTiles;
}

/** Bytes a convolution block owns in training (nn/conv_block.ts convBlockNode, on the subgroup kernels). */
function blockBytes(block: ConvBlock, input: readonly number[], needsGrad: boolean, rows: number, offeredImages: boolean, tiles?: ConvTiles): number {
  const c = block.dims;
  const act = (s: readonly number[]) => paddedSize(rows * elementsOf(s) * 4);
  const { ho, wo } = convOut(c);
  const y = [c.cOut, ho, wo];
  const images = offeredImages && !needsGrad && imagesAreWords(c);
  const unpoolInWeightGrad = images && block.pool !== null;
  const own = act(y) + (block.pool === null ? paddedSize(16) : act([c.cOut, Math.floor(ho / 2), Math.floor(wo / 2)])) + paddedSize(packedBytes(forwardPack(convShape(c))));
  const grads = paddedSize(c.cOut * c.cIn * c.ks * c.ks * 4) + paddedSize(c.cOut * 4);
  const dz = (block.pool !== null && !unpoolInWeightGrad) || (block.pool === null && block.act !== 0) ? act(y) : 0;
  const partial = paddedSize(weightGradTile({ cOut: c.cOut, wo, ks: c.ks }, tiles).S * (c.cOut * c.cIn * c.ks * c.ks + c.cOut) * 4);
  const asForward = inputGradAsForward({ ...convShape(c), PAD: c.pad }) !== null;
  // conv2d_forward_subgroup as the input gradient: its flipped pack and an unused 16-byte binding; else conv2d_general, no pack.
  const dx = needsGrad ? act(input) + (asForward ? paddedSize(packedBytes(inputGradPack(convShape(c)))) + paddedSize(16) : 0) : 0;
  return own + grads + dz + partial + dx;
}

/**
 * The storage binding every activation must fit in where no adapter is at hand (summary, a model's `problem()`
 * before the GPU is made): WebGPU's default maxStorageBufferBindingSize, and lavapipe's and many browsers' maximum.
 */
export const BINDING_LIMIT = 128 * 2 ** 20;

/** Bytes in MiB for the messages about bindings: whole from 10 MiB, two significant digits below (0.56 MiB). */
export const mib = (bytes: number): string => `${bytes >= 10 * 2 ** 20 ? (bytes / 2 ** 20).toFixed(0) : Number((bytes / 2 ** 20).toPrecision(2))} MiB`;

/**
 * Rows per chunk of a step of `batch` rows where a chunk holds at most `most`: the batch itself where it fits, else
 * the fewest chunks, their rows balanced (batch 256, at most 227: two chunks of 128, not 227 and 29).
 */
export function chunkRowsFor(batch: number, most: number): number {
  return batch <= most ? batch : Math.ceil(batch / Math.ceil(batch / most));
}

/**
 * The most rows of `net`'s step whose largest activation [rows, ...] fits a binding of `limit` bytes (0: not even
 * one row). A minibatch of more rows trains as chunks of at most these (chunkRowsFor).
 */
export function mostRowsPerChunk(net: LayerDecl, input: readonly number[], limit = BINDING_LIMIT): number {
  return Math.floor(limit / (largestActivation(net, input).values * 4));
}

/**
 * Why `net` cannot train on an adapter binding at most `limit` bytes: a parameter past it, or one image's largest
 * activation past it (no batch size fits either way), else null. A batch whose activations pass it trains in chunks
 * of rows that fit (train/gradient_chunks.ts), so the batch size is never the problem.
 */
export function bindingProblem(kind: string, net: LayerDecl, input: readonly number[], limit = BINDING_LIMIT): string | null {
  for (const [name, p] of parameterInfo(net, input)) {
    const bytes = elementsOf(p.shape) * 4;
    if (bytes > limit) return `model ${kind}: parameter ${name} is ${mib(bytes)}, past the ${mib(limit)} a storage binding holds; no batch size fits: make it smaller (--width-divisor or --resize)`;
  }
  if (mostRowsPerChunk(net, input, limit) >= 1) return null;
  const { values, where } = largestActivation(net, input);
  return `model ${kind}: for one image, ${where} is ${mib(values * 4)}, past the ${mib(limit)} a storage binding holds; no batch size fits: make it smaller (--resize)`;
}

/** What running `net`'s steps in chunks changes beyond the order of a sum, or undefined: BatchNorm's statistics. */
export const chunkCaveat = (net: LayerDecl): string | undefined =>
  containsLayer(net, ['BatchNorm1d', 'BatchNorm2d']) ? "BatchNorm normalizes each chunk by the chunk's statistics" : undefined;

/** How a batch of `batch` rows runs in chunks of `chunkRows`, as the start line and `summary` say it (e.g. "2 chunks of 128 rows, their gradients summed"). */
export const chunksText = (batch: number, chunkRows: number, caveat?: string): string =>
  `${Math.ceil(batch / chunkRows)} chunks of ${chunkRows} rows, their gradients summed${caveat ? ` (${caveat})` : ''}`;

/**
 * Bytes of every GPU buffer a training step of `net` on minibatches of `batch` rows holds: its tensors, its step
 * (activations, gradients, loss) at the rows of one chunk (`chunkRows`: the batch where its largest activation fits
 * a binding of `limit` bytes), and where the batch runs in chunks, the sum of their gradients
 * (train/gradient_chunks.ts). Without `fusion` (summary, which needs no GPU): the general layer kernels' buffers.
 */
export function trainingBytes(
  net: LayerDecl,
  input: readonly number[],
  classes: number,
  batch: number,
  fusion: Fusion = {},
  limit = BINDING_LIMIT,
): { parameters: number; step: number; total: number; chunkRows: number } {
  const info = parameterInfo(net, input);
  const parameters = info.reduce((n, [, p]) => n + paddedSize(elementsOf(p.shape) * 4), 0);
  const rows = chunkRowsFor(batch, Math.max(1, mostRowsPerChunk(net, input, limit)));
  const gather = paddedSize(rows * elementsOf(input) * 4) + 2 * paddedSize(rows * 4); // x0, y, predictions
  const loss = paddedSize(rows * 4) + paddedSize(rows * classes * 4) + 2 * paddedSize(4); // per-row losses, dlogits, epoch totals
  const sums = rows < batch ? info.filter(([, p]) => p.trainable).reduce((n, [, p]) => n + paddedSize(elementsOf(p.shape) * 4), 0) : 0;
  const step = gather + nodeBytes(net, input, false, rows, fusion) + loss + sums;
  return { parameters, step, total: parameters + step, chunkRows: rows };
}

/** Values per sample of the largest [B, ...] tensor a training step of `net` binds (its input, every layer's output). */
export function largestActivation(net: LayerDecl, input: readonly number[]): { values: number; where: string } {
  let best = { values: elementsOf(input), where: 'the resized input' };
  const walk = (layer: LayerDecl, shape: readonly number[], path: string): number[] => {
    const out = outputShape(layer, shape, path);
    if (layer.type === 'Sequential') {
      let s: readonly number[] = shape;
      layer.layers.forEach((l, i) => (s = walk(l, s, path ? `${path}.${i}` : String(i))));
    } else if (layer.type === 'Residual') {
      walk(layer.body, shape, `${path}.body`);
      if (layer.shortcut) walk(layer.shortcut, shape, `${path}.shortcut`);
    } else if (layer.type === 'Concat') layer.branches.forEach((b, i) => walk(b, shape, `${path}.${i}`));
    if (elementsOf(out) > best.values) best = { values: elementsOf(out), where: `layer ${path} (${layer.type}, [${out.join(', ')}])` };
    return out;
  };
  walk(net, input, '');
  return best;
}
