/**
 * A declared network (nn/declare.ts) built on the GPU: one node per layer, each owning its kernels, its output
 * buffer and the buffers of its backward; shapes are fixed here, once, and every bind group is made on first use
 * and reused. A node's forward reads the buffer it was built on; its backward takes ∂l/∂output and returns
 * ∂l/∂input (null where nothing below needs it: the images). Parameter gradients are written whole each step
 * (not added to), as the mean over the minibatch; the optimizer (src/optim) reads them.
 *
 *   input [B, ...shape] -> node -> node -> ... -> logits [B, classes]
 *   ∂l/∂logits -> node.backward -> ... -> (parameter gradients, TrainableParameter.grad)
 */
import { createBuffer } from '../gpu/buffers.js';
import type { Tuning } from '../gpu/tuning.js';
import type { Gpu } from '../gpu/device.js';
import type { ComputePass } from '../gpu/kernel.js';
import { batchNormForward, batchNormGradReduce, batchNormInputGrad, batchNormStatistics } from '../kernels/batch_norm.js';
import { biasGrad } from '../kernels/bias_grad.js';
import { conv2dGeneralForward, conv2dGeneralInputGrad, conv2dGeneralWeightGrad } from '../kernels/conv2d_general.js';
import { type ConvDims, createConvGemm, type GemmShapeChoice, implicitGemmParts } from '../kernels/conv2d_implicit_gemm.js';
import { dropout } from '../kernels/dropout.js';
import { dropoutConstants } from '../kernels/dropout_mask.js';
import type { BoundKernel } from '../kernels/kernel.js';
import { createLinearForward, createLinearInputGrad, createLinearWeightGrad } from '../kernels/linear.js';
import { elementsOf } from '../model/tensors.js';
import type { TrainableParameter } from '../optim/index.js';
import { type LayerDecl, outputShape, parameterInfo } from './declare.js';
import { activationNode, addNode, concatNode, globalAvgPoolNode, poolNode } from './network_shape_ops.js';
import { convBlockAt, convBlockNode } from './conv_block.js';
import { ACTIVATION_CODES, activationBackward } from '../kernels/activation.js';

/** One built layer. */
export interface Node {
  /** [maxRows, ...shape] f32 row-major: this node's output (for Flatten and evaluation Dropout, its input's buffer). */
  readonly output: GPUBuffer;
  readonly shape: readonly number[];
  /** Bytes of the buffers this node owns. */
  readonly bytes: number;
  /** Whether it reads its input from NodeInput.images (the u8 dataset) rather than the input buffer. */
  readonly readsImages?: boolean;
  forward(pass: ComputePass, step: GPUBindGroup): void;
  /** Records the backward from ∂l/∂output; returns ∂l/∂input, or null where the input needs no gradient. */
  backward(pass: ComputePass, dOutput: GPUBuffer, step: GPUBindGroup): GPUBuffer | null;
  destroy(): void;
}

/** What a node is built on: its input buffer and shape, and whether anything below it needs ∂l/∂input. */
export interface NodeInput {
  buffer: GPUBuffer; // [maxRows, ...shape] f32
  shape: readonly number[];
  needsGrad: boolean;
  /**
   * For the network's first layer: the resident u8 images in the step's order, which a convolution block may read
   * itself (nn/conv_block.ts) instead of `buffer`, writing the step's labels into `targets` [rows] u32. A node that
   * does says so (Node.readsImages), and the model then gathers no minibatch.
   */
  images?: { images: GPUBuffer; order: GPUBuffer; labels: GPUBuffer; targets: GPUBuffer };
}

/** What every node of one network shares while it is built. */
export interface NetworkContext {
  gpu: Gpu;
  maxRows: number;
  /** Training (batch statistics, dropout, backward buffers) or evaluation (running statistics, no dropout). */
  training: boolean;
  /** The run's seed: dropout's masks. */
  seed: number;
  /** The kernel shapes every node creates its kernels in (StepContext.tuning / ForwardContext.tuning). */
  tuning: Tuning;
  /** Every tensor of the network by state_dict name (parameters and running statistics), resident on the GPU. */
  tensors: Readonly<Record<string, GPUBuffer>>;
  /** Filled as nodes are built: the tensors the optimizer updates, with their gradient buffers. */
  trainables: TrainableParameter[];
  /** Dropout layers built so far: each has its own mask stream. */
  dropouts: number;
}

type Dispatch = [BoundKernel<string>, GPUBindGroup];

/** Bind groups that depend on the gradient handed down, made on the first backward and reused. */
export class BackwardCache {
  private readonly lists = new Map<GPUBuffer, Dispatch[]>();
  run(pass: ComputePass, dOutput: GPUBuffer, step: GPUBindGroup, make: () => Dispatch[]): void {
    let list = this.lists.get(dOutput);
    if (!list) {
      list = make();
      this.lists.set(dOutput, list);
    }
    for (const [k, g] of list) k.encode(pass, g, step);
  }
}

export function tensor(ctx: NetworkContext, name: string): GPUBuffer {
  const t = ctx.tensors[name];
  if (!t) throw new Error(`network: no tensor "${name}" was uploaded`);
  return t;
}

/** Registers `name` with the optimizer and returns its gradient buffer (same size as the value). */
export function trainable(ctx: NetworkContext, name: string, shape: readonly number[], decay: boolean): GPUBuffer {
  const value = tensor(ctx, name);
  const grad = createBuffer(ctx.gpu.device, `${name}.grad`, elementsOf(shape) * 4);
  ctx.trainables.push({ name, shape, value, grad, decay });
  return grad;
}

const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);
const rowsBuffer = (ctx: NetworkContext, label: string, shape: readonly number[]) => createBuffer(ctx.gpu.device, label, ctx.maxRows * elementsOf(shape) * 4);

/** Builds `layer` on `input`; `prefix` is its state_dict path ('' for the whole network). */
export async function buildNode(ctx: NetworkContext, layer: LayerDecl, input: NodeInput, prefix: string): Promise<Node> {
  const shape = outputShape(layer, input.shape, prefix || 'net');
  switch (layer.type) {
    case 'Linear':
      // Alone (not in a Sequential, which fuses it with its neighbours: linearFusion).
      return linearNode(ctx, layer, input, prefix, linearFusion([layer], 0));
    case 'Conv2d':
      return convNode(ctx, layer, input, prefix, shape);
    case 'BatchNorm1d':
    case 'BatchNorm2d':
      return batchNormNode(ctx, layer, input, prefix, ACTIVATION_CODES.none);
    case 'MaxPool2d':
    case 'AvgPool2d':
      return poolNode(ctx, layer, input, shape);
    case 'AdaptiveAvgPool2d':
      return globalAvgPoolNode(ctx, input, shape);
    case 'ReLU':
    case 'Sigmoid':
      return activationNode(ctx, layer.type, input);
    case 'Flatten':
    case 'Identity':
      return { output: input.buffer, shape, bytes: 0, forward() {}, backward: (_p, d) => (input.needsGrad ? d : null), destroy() {} };
    case 'Dropout':
      return dropoutNode(ctx, layer.p, input);
    case 'Sequential': {
      const nodes: Node[] = [];
      let at: NodeInput = input;
      for (let i = 0; i < layer.layers.length; ) {
        const here = layer.layers[i];
        const name = join(prefix, String(i));
        // A small stride-1 convolution with its activation and 2x2 pooling runs as one block (nn/conv_block.ts); a
        // Linear with the activation after it, as one node whose slope the next Linear may take (linearNode).
        // A convolution as implicit GEMM with the activation after it, as one node (convGemmNode).
        const block = convBlockAt(ctx, layer.layers, i, at.shape);
        const fused = linearFusion(layer.layers, i);
        const convAct = activationAfter(layer.layers, i, 'Conv2d');
        const gemm = !block && here.type === 'Conv2d' && convAct !== ACTIVATION_CODES.none ? convGemmParts(ctx, here, at.shape) : null;
        // A BatchNorm with the activation after it, as one node (batchNormNode).
        const normAct = activationAfter(layer.layers, i, 'BatchNorm');
        const node = block
          ? await convBlockNode(ctx, block, at, name)
          : here.type === 'Linear'
            ? await linearNode(ctx, here, at, name, fused)
            : gemm && here.type === 'Conv2d'
              ? await convGemmNode(ctx, here, at, name, outputShape(here, at.shape), gemm, convAct)
              : here.type === 'BatchNorm1d' || here.type === 'BatchNorm2d'
                ? await batchNormNode(ctx, here, at, name, normAct)
                : await buildNode(ctx, here, at, name);
        nodes.push(node);
        // Only the first layer may read the images (a later one reads its predecessor's output).
        at = { buffer: node.output, shape: node.shape, needsGrad: at.needsGrad || hasTrainables(layer.layers[i], at.shape) };
        i += block?.length ?? (fused.act || gemm || normAct ? 2 : 1);
      }
      return { ...sequence(nodes), readsImages: nodes[0]?.readsImages ?? false };
    }
    case 'Residual':
    case 'Concat':
      // Branches share their input: none of them may read the images in place of it.
      return input.images ? buildNode(ctx, layer, { ...input, images: undefined }, prefix) : branchNode(ctx, layer, input, prefix, shape);
  }
}

/** A residual block or a concatenation of branches, each branch built on the same input. */
async function branchNode(ctx: NetworkContext, layer: Extract<LayerDecl, { type: 'Residual' | 'Concat' }>, input: NodeInput, prefix: string, shape: number[]): Promise<Node> {
  switch (layer.type) {
    case 'Residual': {
      const body = await buildNode(ctx, layer.body, input, join(prefix, 'body'));
      const shortcut = layer.shortcut ? await buildNode(ctx, layer.shortcut, input, join(prefix, 'shortcut')) : null;
      return addNode(ctx, body, shortcut, input);
    }
    case 'Concat': {
      const branches: Node[] = [];
      for (let i = 0; i < layer.branches.length; i++) branches.push(await buildNode(ctx, layer.branches[i], input, join(prefix, String(i))));
      return concatNode(ctx, branches, input, shape);
    }
  }
}

/** Whether a layer has tensors the optimizer trains (so the layers above it must hand their gradient down). */
export const hasTrainables = (layer: LayerDecl, input: readonly number[]): boolean => parameterInfo(layer, input).some(([, p]) => p.trainable);

function sequence(nodes: Node[]): Node {
  const last = nodes[nodes.length - 1];
  return {
    output: last.output,
    shape: last.shape,
    bytes: nodes.reduce((n, node) => n + node.bytes, 0),
    forward(pass, step) {
      for (const node of nodes) node.forward(pass, step);
    },
    backward(pass, dOutput, step) {
      let d: GPUBuffer | null = dOutput;
      for (let i = nodes.length - 1; i >= 0 && d; i--) d = nodes[i].backward(pass, d, step);
      return d;
    },
    destroy() {
      for (const node of nodes) node.destroy();
    },
  };
}

/** How layers[i], a Linear, is fused with its neighbours in a Sequential (linearNode). */
export interface LinearFusion {
  /** ACTIVATION_CODES of the ReLU or Sigmoid right after it, run in its forward's epilogue (0: none). */
  act: number;
  /** Whether the next layer, a Linear, applies that activation's slope in its input gradient (so this one does not). */
  slopeBelow: boolean;
  /** The slope of the activation the Linear before it fused, applied in this one's input gradient (0: none). */
  inputSlope: number;
}

/**
 * The activation (ACTIVATION_CODES) a `kind` at layers[i] fuses into its forward's epilogue: the ReLU or Sigmoid
 * right after it (linearNode; convGemmNode where the convolution runs as implicit GEMM; batchNormNode for a
 * BatchNorm1d or BatchNorm2d), or none.
 */
export const activationAfter = (layers: readonly LayerDecl[], i: number, kind: 'Linear' | 'Conv2d' | 'BatchNorm'): number => {
  const next = layers[i + 1];
  const type = layers[i]?.type;
  if (kind === 'BatchNorm' ? type !== 'BatchNorm1d' && type !== 'BatchNorm2d' : type !== kind) return ACTIVATION_CODES.none;
  return next?.type === 'ReLU' ? ACTIVATION_CODES.relu : next?.type === 'Sigmoid' ? ACTIVATION_CODES.sigmoid : ACTIVATION_CODES.none;
};

/** The fusion of layers[i] (a Linear; all zero for another layer): Linear + activation, and the slope handed to the next Linear. */
export function linearFusion(layers: readonly LayerDecl[], i: number): LinearFusion {
  const act = activationAfter(layers, i, 'Linear');
  return { act, slopeBelow: act !== ACTIVATION_CODES.none && layers[i + 2]?.type === 'Linear', inputSlope: layers[i]?.type === 'Linear' && i >= 2 ? activationAfter(layers, i - 2, 'Linear') : ACTIVATION_CODES.none };
}

/**
 * y = act(x·W + b), W: [in, out]. `fuse.act`: the ReLU or Sigmoid that follows the layer in its Sequential, run in
 * the forward's epilogue; in the backward its slope is applied by the activation's kernel, or, where the next
 * layer is a Linear (`fuse.slopeBelow`), by that layer's input gradient (its `fuse.inputSlope`): the gradient
 * handed down is then already ∂l/∂(x·W + b). As LeNet's dense layers always ran.
 */
async function linearNode(ctx: NetworkContext, layer: Extract<LayerDecl, { type: 'Linear' }>, input: NodeInput, prefix: string, fuse: LinearFusion): Promise<Node> {
  const { gpu, maxRows } = ctx;
  const shape = { K: layer.inFeatures, N: layer.outFeatures };
  const [w, b] = [tensor(ctx, join(prefix, 'weight')), tensor(ctx, join(prefix, 'bias'))];
  const output = rowsBuffer(ctx, `${prefix}.output`, [layer.outFeatures]); // [B, out] after the activation
  const choice = { tiles: ctx.tuning.dense };
  const forward = await createLinearForward(gpu, shape, maxRows, { ACT: fuse.act }, choice);
  const forwardGroup = forward.bind({ x: input.buffer, w, b, out: output });
  if (!ctx.training) return forwardOnly(output, [layer.outFeatures], [forward, forwardGroup]);
  const dw = trainable(ctx, join(prefix, 'weight'), [layer.inFeatures, layer.outFeatures], true);
  const db = trainable(ctx, join(prefix, 'bias'), [layer.outFeatures], false);
  const [dwKernel, dbKernel, dxKernel, actBackward] = await Promise.all([
    createLinearWeightGrad(gpu, shape, maxRows, choice),
    biasGrad.create(gpu, { N: layer.outFeatures }, { rows: maxRows }),
    // The slope of the activation that made this layer's input, where that layer fused it (h: the input).
    input.needsGrad ? createLinearInputGrad(gpu, shape, maxRows, { ACT: fuse.inputSlope }, choice) : null,
    fuse.act && !fuse.slopeBelow ? activationBackward.create(gpu, { N: layer.outFeatures }, { rows: maxRows, constants: { ACT: fuse.act } }) : null,
  ]);
  const dx = dxKernel ? rowsBuffer(ctx, `${prefix}.input.grad`, [layer.inFeatures]) : null; // [B, in]
  const dz = actBackward ? rowsBuffer(ctx, `${prefix}.output.grad`, [layer.outFeatures]) : null; // [B, out] before the activation
  const cache = new BackwardCache();
  return {
    output,
    shape: [layer.outFeatures],
    bytes: output.size + dw.size + db.size + (dx?.size ?? 0) + (dz?.size ?? 0),
    forward: (pass, step) => forward.encode(pass, forwardGroup, step),
    backward(pass, dy, step) {
      cache.run(pass, dy, step, () => {
        const d = dz ?? dy;
        const list: Dispatch[] = [
          ...(actBackward && dz ? [[actBackward, actBackward.bind({ x: output, dy, out: dz })] as Dispatch] : []),
          [dwKernel, dwKernel.bind({ x: input.buffer, dy: d, dw })],
          [dbKernel, dbKernel.bind({ dlogits: d, db })],
        ];
        // h: the input, read for the slope of the activation that made it (ACT: fuse.inputSlope).
        if (dxKernel && dx) list.push([dxKernel, dxKernel.bind({ dy: d, w, h: input.buffer, dx })]);
        return list;
      });
      return dx;
    },
    destroy() {
      for (const buffer of [output, dx, dz]) buffer?.destroy();
    },
  };
}

/**
 * PyTorch's Conv2d: any channels, square kernel, stride and zero padding, with a bias. As implicit GEMM through the
 * contraction template where the adapter and shape allow (kernels/conv2d_implicit_gemm.ts), else conv2d_general.
 */
async function convNode(ctx: NetworkContext, layer: Extract<LayerDecl, { type: 'Conv2d' }>, input: NodeInput, prefix: string, shape: number[]): Promise<Node> {
  const { gpu, maxRows } = ctx;
  const dims = convDims(layer, input.shape);
  const parts = convGemmParts(ctx, layer, input.shape);
  if (parts) return convGemmNode(ctx, layer, input, prefix, shape, parts, ACTIVATION_CODES.none);
  const options = { rows: maxRows, constants: { STRIDE: layer.stride, PAD: layer.padding } };
  const [w, b] = [tensor(ctx, join(prefix, 'weight')), tensor(ctx, join(prefix, 'bias'))];
  const output = rowsBuffer(ctx, `${prefix}.output`, shape); // [B, C_out, HO, WO]
  const forward = await conv2dGeneralForward.create(gpu, dims, options);
  const forwardGroup = forward.bind({ x: input.buffer, w, bias: b, y: output });
  if (!ctx.training) return forwardOnly(output, shape, [forward, forwardGroup]);
  const dw = trainable(ctx, join(prefix, 'weight'), [layer.outChannels, layer.inChannels, layer.kernelSize, layer.kernelSize], true);
  const db = trainable(ctx, join(prefix, 'bias'), [layer.outChannels], false);
  const [dwKernel, dxKernel] = await Promise.all([conv2dGeneralWeightGrad.create(gpu, dims, options), input.needsGrad ? conv2dGeneralInputGrad.create(gpu, dims, options) : null]);
  const dx = dxKernel ? rowsBuffer(ctx, `${prefix}.input.grad`, input.shape) : null; // [B, C_in, H, W]
  const cache = new BackwardCache();
  return {
    output,
    shape,
    bytes: output.size + dw.size + db.size + (dx?.size ?? 0),
    forward: (pass, step) => forward.encode(pass, forwardGroup, step),
    backward(pass, dy, step) {
      cache.run(pass, dy, step, () => {
        const list: Dispatch[] = [[dwKernel, dwKernel.bind({ x: input.buffer, dy, dw, db })]];
        if (dxKernel && dx) list.push([dxKernel, dxKernel.bind({ dy, w, dx })]);
        return list;
      });
      return dx;
    },
    destroy() {
      for (const buffer of [output, dx]) buffer?.destroy();
    },
  };
}

/** A Conv2d's sizes on an input [C, H, W], as the convolution kernels' constants name them. */
export const convDims = (l: Extract<LayerDecl, { type: 'Conv2d' }>, input: readonly number[]): ConvDims => ({ C_IN: l.inChannels, C_OUT: l.outChannels, H: input[1], W: input[2], KS: l.kernelSize, STRIDE: l.stride, PAD: l.padding });

/** Which parts of Conv2d `layer` on an input of `input` [C, H, W] run as implicit GEMM in this network, or null. */
function convGemmParts(ctx: NetworkContext, layer: Extract<LayerDecl, { type: 'Conv2d' }>, input: readonly number[]) {
  return implicitGemmParts(ctx.gpu, convDims(layer, input), ctx.maxRows, ctx.tuning.convGemmMinFlop, ctx.tuning.dense);
}

/**
 * convNode as implicit GEMM in `parts.shape`; the input gradient too where `parts.inputGrad` (C_IN % 4 == 0), else
 * conv2d_general's. `act`: the activation after it in its Sequential, applied in the forward's epilogue (the output
 * is after it) and differentiated by the activation's kernel at the start of the backward (into dz).
 */
async function convGemmNode(ctx: NetworkContext, layer: Extract<LayerDecl, { type: 'Conv2d' }>, input: NodeInput, prefix: string, shape: number[], parts: { inputGrad: boolean; shape: GemmShapeChoice }, act: number): Promise<Node> {
  const gemmInputGrad = parts.inputGrad;
  const { gpu, maxRows } = ctx;
  const d = convDims(layer, input.shape);
  const needsDx = ctx.training && input.needsGrad;
  const [w, b] = [tensor(ctx, join(prefix, 'weight')), tensor(ctx, join(prefix, 'bias'))];
  const [k, generalDx, actBackward] = await Promise.all([
    createConvGemm(gpu, d, maxRows, { act, training: ctx.training, inputGrad: needsDx && gemmInputGrad, tiles: ctx.tuning.dense, shape: parts.shape }),
    needsDx && !gemmInputGrad ? conv2dGeneralInputGrad.create(gpu, d, { rows: maxRows, constants: { STRIDE: d.STRIDE, PAD: d.PAD } }) : null,
    ctx.training && act !== ACTIVATION_CODES.none ? activationBackward.create(gpu, { N: elementsOf(shape) }, { rows: maxRows, constants: { ACT: act } }) : null,
  ]);
  const output = rowsBuffer(ctx, `${prefix}.output`, shape); // [B, C_out, HO, WO], after `act`
  const packed = createBuffer(gpu.device, `${prefix}.weight.packed`, k.packBytes.forward); // [K rounded up to 4, C_out / 4] vec4
  const forwardList: Dispatch[] = [
    [k.forwardPack, k.forwardPack.bind({ w, packed })],
    [k.forward, k.forward.bind({ x: input.buffer, w: packed, b, out: output })],
  ];
  const forward = (pass: ComputePass, step: GPUBindGroup) => {
    for (const [kernel, group] of forwardList) kernel.encode(pass, group, step);
  };
  if (!ctx.training) {
    return { ...forwardOnly(output, shape), bytes: output.size + packed.size, forward, destroy: () => [output, packed].forEach((x) => x.destroy()) };
  }
  const dw = trainable(ctx, join(prefix, 'weight'), [d.C_OUT, d.C_IN, d.KS, d.KS], true);
  const db = trainable(ctx, join(prefix, 'bias'), [d.C_OUT], false);
  const dx = needsDx ? rowsBuffer(ctx, `${prefix}.input.grad`, input.shape) : null; // [B, C_in, H, W]
  // The input gradient's product: the weights packed [C_out·KS², C_in / 4], and no bias (a zero one).
  const packedT = k.inputGrad ? createBuffer(gpu.device, `${prefix}.weight.packed_transposed`, k.packBytes.inputGrad) : null;
  const zeroBias = k.inputGrad ? createBuffer(gpu.device, `${prefix}.input.grad.bias`, k.packBytes.zeroBias) : null;
  const dz = actBackward ? rowsBuffer(ctx, `${prefix}.output.grad`, shape) : null; // [B, C_out, HO, WO] before `act`
  const owned = [output, packed, dx, packedT, zeroBias, dz];
  const cache = new BackwardCache();
  return {
    output,
    shape,
    bytes: owned.reduce((sum, x) => sum + (x?.size ?? 0), 0) + dw.size + db.size,
    forward,
    backward(pass, dOut, step) {
      cache.run(pass, dOut, step, () => {
        const list: Dispatch[] = actBackward && dz ? [[actBackward, actBackward.bind({ x: output, dy: dOut, out: dz })]] : [];
        const dy = dz ?? dOut;
        if (k.weightGrad && k.biasGrad) list.push([k.weightGrad, k.weightGrad.bind({ x: input.buffer, dy, dw })], [k.biasGrad, k.biasGrad.bind({ dlogits: dy, db })]);
        if (dx && k.inputGrad && k.inputGradPack && packedT && zeroBias) {
          list.push([k.inputGradPack, k.inputGradPack.bind({ w, packed: packedT })], [k.inputGrad, k.inputGrad.bind({ x: dy, w: packedT, b: zeroBias, out: dx })]);
        }
        if (dx && generalDx) list.push([generalDx, generalDx.bind({ dy, w, dx })]);
        return list;
      });
      return dx;
    },
    destroy() {
      for (const buffer of owned) buffer?.destroy();
    },
  };
}

/**
 * BatchNorm1d / BatchNorm2d. Training: the step's statistics (kept for the backward) normalise, and the running
 * statistics move towards them on the GPU; evaluation: the running statistics normalise. `act`: the ReLU or
 * Sigmoid after it in its Sequential, applied by the forward (the output is after it) and differentiated by the
 * backward's two kernels from that output: no activation pass or buffer of its own (bn-lenet, ResNet, DenseNet).
 */
async function batchNormNode(ctx: NetworkContext, layer: Extract<LayerDecl, { type: 'BatchNorm1d' | 'BatchNorm2d' }>, input: NodeInput, prefix: string, act: number): Promise<Node> {
  const { gpu, maxRows } = ctx;
  const C = layer.numFeatures;
  const dims = { C, HW: elementsOf(input.shape) / C };
  const [weight, bias, runningMean, runningVar] = ['weight', 'bias', 'running_mean', 'running_var'].map((n) => tensor(ctx, join(prefix, n)));
  const output = rowsBuffer(ctx, `${prefix}.output`, input.shape); // [B, C, HW] after `act`
  if (!ctx.training) {
    const forward = await batchNormForward.create(gpu, dims, { rows: maxRows, constants: { TRAINING: 0, EPS: layer.eps, ACT: act } });
    return forwardOnly(output, input.shape, [forward, forward.bind({ x: input.buffer, weight, bias, mean: runningMean, spread: runningVar, y: output })]);
  }
  const mean = createBuffer(gpu.device, `${prefix}.mean`, C * 4); // [C] this step's statistics
  const invstd = createBuffer(gpu.device, `${prefix}.invstd`, C * 4); // [C]
  const dweight = trainable(ctx, join(prefix, 'weight'), [C], false);
  const dbias = trainable(ctx, join(prefix, 'bias'), [C], false);
  const [stats, forward, reduce, dxKernel] = await Promise.all([
    batchNormStatistics.create(gpu, dims, { rows: maxRows, constants: { EPS: layer.eps, MOMENTUM: layer.momentum, REDUCE_WG: ctx.tuning.normReduce } }),
    batchNormForward.create(gpu, dims, { rows: maxRows, constants: { TRAINING: 1, EPS: layer.eps, ACT: act } }),
    batchNormGradReduce.create(gpu, dims, { rows: maxRows, constants: { ACT: act, REDUCE_WG: ctx.tuning.normReduce } }),
    input.needsGrad ? batchNormInputGrad.create(gpu, dims, { rows: maxRows, constants: { ACT: act } }) : null,
  ]);
  const forwardList: Dispatch[] = [
    [stats, stats.bind({ x: input.buffer, mean, invstd, running_mean: runningMean, running_var: runningVar })],
    [forward, forward.bind({ x: input.buffer, weight, bias, mean, spread: invstd, y: output })],
  ];
  const dx = dxKernel ? rowsBuffer(ctx, `${prefix}.input.grad`, input.shape) : null;
  const cache = new BackwardCache();
  return {
    output,
    shape: input.shape,
    bytes: output.size + mean.size + invstd.size + dweight.size + dbias.size + (dx?.size ?? 0),
    forward(pass, step) {
      for (const [k, g] of forwardList) k.encode(pass, g, step);
    },
    backward(pass, dy, step) {
      cache.run(pass, dy, step, () => {
        // y: the output, for the slope of `act` (read, not used, without one).
        const list: Dispatch[] = [[reduce, reduce.bind({ x: input.buffer, y: output, dy, mean, invstd, dweight, dbias })]];
        if (dxKernel && dx) list.push([dxKernel, dxKernel.bind({ x: input.buffer, y: output, dy, mean, invstd, weight, dweight, dbias, dx })]);
        return list;
      });
      return dx;
    },
    destroy() {
      for (const buffer of [output, mean, invstd, dx]) buffer?.destroy();
    },
  };
}

/** Dropout in training (its mask recomputed from a hash in the backward, never stored); nothing in evaluation. */
async function dropoutNode(ctx: NetworkContext, p: number, input: NodeInput): Promise<Node> {
  const identity: Node = { output: input.buffer, shape: input.shape, bytes: 0, forward() {}, backward: (_p, d) => (input.needsGrad ? d : null), destroy() {} };
  if (!ctx.training || p === 0) return identity;
  const N = elementsOf(input.shape);
  const kernel = await dropout.create(ctx.gpu, { N }, { rows: ctx.maxRows, constants: dropoutConstants(p, ctx.seed, ctx.dropouts++) });
  const output = rowsBuffer(ctx, 'dropout.output', input.shape);
  const group = kernel.bind({ x: input.buffer, out: output });
  const dx = input.needsGrad ? rowsBuffer(ctx, 'dropout.input.grad', input.shape) : null;
  const cache = new BackwardCache();
  return {
    output,
    shape: input.shape,
    bytes: output.size + (dx?.size ?? 0),
    forward: (pass, step) => kernel.encode(pass, group, step),
    backward(pass, dy, step) {
      // The same mask and scale on the gradient: ∂(mask ⊙ x / (1 - p))/∂x.
      if (dx) cache.run(pass, dy, step, () => [[kernel, kernel.bind({ x: dy, out: dx })]]);
      return dx;
    },
    destroy() {
      output.destroy();
      dx?.destroy();
    },
  };
}

/** A node that only runs forward (evaluation networks). */
export function forwardOnly(output: GPUBuffer, shape: readonly number[], ...dispatches: Dispatch[]): Node {
  return {
    output,
    shape,
    bytes: output.size,
    forward(pass, step) {
      for (const [k, g] of dispatches) k.encode(pass, g, step);
    },
    backward() {
      throw new Error('network: backward of an evaluation network');
    },
    destroy: () => output.destroy(),
  };
}
