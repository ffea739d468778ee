/**
 * GPU layer objects that record into a compute pass: CrossEntropyLoss (every network's loss, nn/model.ts, and the
 * concise MLP's), and the concise MLP's Sequential of fused dense blocks (buildSequential). A whole step (or epoch)
 * is recorded once and replayed by the queue; shapes are fixed when a layer is created, buffers and bind groups
 * are made on first use and reused afterwards. (Networks declared with nn, concise softmax regression and LeNet
 * among them, are built by nn/network.ts.)
 */
import type { ComputePass } from '../gpu/kernel.js';
import type { Gpu } from '../gpu/device.js';
import type { MlpTiles } from '../gpu/tuning.js';
import { createBuffer } from '../gpu/buffers.js';
import { ACTIVATION_CODES } from '../kernels/activation.js';
import { biasGrad } from '../kernels/bias_grad.js';
import type { BoundKernel } from '../kernels/kernel.js';
import { logSoftmaxCrossEntropy } from '../kernels/log_softmax_cross_entropy.js';
import { type DropoutConstants, dropoutConstants, NO_DROPOUT } from '../kernels/dropout_mask.js';
import { createLinearForward, createLinearForwardU8, createLinearInputGrad, createLinearWeightGrad, createLinearWeightGradU8 } from '../kernels/linear.js';
import type { LayerDecl } from '../nn/declare.js';

/** A trainable tensor on the GPU and its gradient. `value` belongs to the model; the layer owns `grad`. */
export interface Parameter {
  /** Its name within the layer ('weight', 'bias'). */
  name: string;
  /** Its shape, row-major. */
  shape: readonly number[];
  /** Its f32 values on the GPU. */
  value: GPUBuffer;
  /** Its gradient, f32, the shape of `value`, written by the backward. */
  grad: GPUBuffer;
  /** Whether the optimizer's weight decay applies (weights, not biases, as d2l 4.5's concise version). */
  decay: boolean;
}

/** Memoises one bind group per input buffer, so repeated calls with the same tensors cost nothing. */
function bindOnce<K extends string>(cache: Map<GPUBuffer, GPUBindGroup>, key: GPUBuffer, kernel: BoundKernel<K>, buffers: Record<K, GPUBuffer>) {
  let group = cache.get(key);
  if (!group) {
    group = kernel.bind(buffers);
    cache.set(key, group);
  }
  return group;
}

/**
 * Mean cross-entropy on logits, fused and numerically stable (log-sum-exp), like nn.CrossEntropyLoss.
 * The per-sample losses are summed into `lossSum` on the GPU (read once per epoch); the gradient for the
 * mean is computed in the same pass, since it needs the same log-sum-exp, and handed out by backward().
 */
export class CrossEntropyLoss {
  /** [maxRows] per-sample loss */
  readonly loss: GPUBuffer;
  /** [maxRows, classes] */
  readonly dlogits: GPUBuffer;
  private readonly groups = new Map<GPUBuffer, GPUBindGroup>();

  private constructor(
    device: GPUDevice,
    maxRows: number,
    classes: number,
    private readonly lossSum: GPUBuffer,
    private readonly kernel: BoundKernel<'logits' | 'y' | 'loss' | 'loss_sum' | 'dlogits'>,
  ) {
    this.loss = createBuffer(device, 'CrossEntropyLoss.loss', maxRows * 4);
    this.dlogits = createBuffer(device, 'CrossEntropyLoss.dlogits', maxRows * classes * 4);
  }

  /** The loss for `classes` classes over up to `maxRows` rows, adding each step's losses into `lossSum`. */
  static async create(gpu: Gpu, maxRows: number, classes: number, lossSum: GPUBuffer): Promise<CrossEntropyLoss> {
    return new CrossEntropyLoss(gpu.device, maxRows, classes, lossSum, await logSoftmaxCrossEntropy.create(gpu, { N: classes }, { rows: maxRows }));
  }

  /** GPU buffer bytes it allocated. */
  get bytes(): number {
    return this.loss.size + this.dlogits.size;
  }

  /** Records the stable log-softmax cross-entropy of `logits` against labels `y`, and its gradient; returns the per-sample losses. */
  forward(pass: ComputePass, logits: GPUBuffer, y: GPUBuffer, step: GPUBindGroup): GPUBuffer {
    // Keyed by logits only: one loss object serves one model, whose label buffer does not change.
    const group = bindOnce(this.groups, logits, this.kernel, { logits, y, loss: this.loss, loss_sum: this.lossSum, dlogits: this.dlogits });
    this.kernel.encode(pass, group, step);
    return this.loss;
  }

  /** ∂(mean loss)/∂logits of the last forward. */
  backward(): GPUBuffer {
    return this.dlogits;
  }

  /** Frees its GPU buffers. */
  destroy(): void {
    this.loss.destroy();
    this.dlogits.destroy();
  }
}

/*
 * d2l 4.3's network as PyTorch writes it, nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(),
 * nn.Dropout(p), nn.Linear(256, 10)), declared with the layers of src/nn/declare.ts; buildSequential builds such a
 * list on the GPU as a Sequential of fused blocks. It fuses each Linear with the ReLU and Dropout that follow it into
 * one block (as torch.compile would): the block's forward kernel applies them, and the backward of the block above
 * applies their masks to the gradient it hands down, recomputing dropout's mask from its hash instead of storing it.
 */

/** What a Sequential starting with Flatten reads: the resident split and the positions of this step. */
export interface ImageInput {
  /** [count, pixels / 4] u32: u8 pixels packed 4 per word */
  images: GPUBuffer;
  /** [count] u32 */
  labels: GPUBuffer;
  /** [count] u32: sample index at each position */
  order: GPUBuffer;
  /** [maxRows] u32: the step's labels, written by the first layer's forward */
  y: GPUBuffer;
}

/** A Linear and the ReLU / Dropout after it, on the GPU; `below` is the block whose output it reads (null: the images). */
export class LinearBlock implements Layer {
  readonly weight: Parameter;
  readonly bias: Parameter;
  /** [maxRows, out] f32 row-major, after ReLU and dropout */
  readonly output: GPUBuffer;
  /** ∂l/∂(pre-activation of the block below), [maxRows, in]; null for the first block, which hands nothing down. */
  readonly inputGrad: GPUBuffer | null;
  private readonly dispatches: { forward: Array<[BoundKernel<string>, GPUBindGroup]>; backward: Map<GPUBuffer, Array<[BoundKernel<string>, GPUBindGroup]>> } = { forward: [], backward: new Map() };

  private constructor(
    private readonly gpu: Gpu,
    readonly inFeatures: number,
    readonly outFeatures: number,
    readonly relu: boolean,
    readonly dropout: DropoutConstants,
    private readonly below: LinearBlock | null,
    private readonly input: ImageInput,
    maxRows: number,
    values: { weight: GPUBuffer; bias: GPUBuffer },
    private readonly kernels: { forward: BoundKernel<string>; dw: BoundKernel<string>; db: BoundKernel<'dlogits' | 'db'>; dx: BoundKernel<string> | null },
  ) {
    const [K, N] = [inFeatures, outFeatures];
    const { device } = gpu;
    this.weight = { name: 'weight', shape: [K, N], value: values.weight, grad: createBuffer(device, 'Linear.weight.grad', K * N * 4), decay: true };
    this.bias = { name: 'bias', shape: [N], value: values.bias, grad: createBuffer(device, 'Linear.bias.grad', N * 4), decay: false };
    this.output = createBuffer(device, 'Linear.output', maxRows * N * 4);
    this.inputGrad = below ? createBuffer(device, 'Linear.input.grad', maxRows * K * 4) : null;
    const f = kernels.forward;
    this.dispatches.forward.push([
      f,
      below
        ? f.bind({ x: below.output, w: values.weight, b: values.bias, out: this.output })
        : f.bind({ images: input.images, labels: input.labels, order: input.order, w: values.weight, b: values.bias, out: this.output, y: input.y }),
    ]);
  }

  static async create(
    gpu: Gpu,
    layer: { inFeatures: number; outFeatures: number; relu: boolean; dropout: DropoutConstants },
    below: LinearBlock | null,
    input: ImageInput,
    maxRows: number,
    values: { weight: GPUBuffer; bias: GPUBuffer },
    tiles: MlpTiles,
  ): Promise<LinearBlock> {
    const shape = { K: layer.inFeatures, N: layer.outFeatures };
    const choice = { tiles };
    const epilogue = { ACT: layer.relu ? ACTIVATION_CODES.relu : ACTIVATION_CODES.none, ...layer.dropout };
    const [forward, dw, db, dx] = await Promise.all([
      below ? createLinearForward(gpu, shape, maxRows, epilogue, choice) : createLinearForwardU8(gpu, shape, maxRows, epilogue, choice),
      below ? createLinearWeightGrad(gpu, shape, maxRows, choice) : createLinearWeightGradU8(gpu, shape, maxRows, choice),
      biasGrad.create(gpu, { N: layer.outFeatures }, { rows: maxRows }),
      below ? createLinearInputGrad(gpu, shape, maxRows, { ACT: below.relu ? ACTIVATION_CODES.relu : ACTIVATION_CODES.none, ...below.dropout }, choice) : Promise.resolve(null),
    ]);
    return new LinearBlock(gpu, layer.inFeatures, layer.outFeatures, layer.relu, layer.dropout, below, input, maxRows, values, { forward, dw, db, dx });
  }

  parameters(): Parameter[] {
    return [this.weight, this.bias];
  }

  get bytes(): number {
    return this.weight.grad.size + this.bias.grad.size + this.output.size + (this.inputGrad?.size ?? 0);
  }

  /** `x`: the buffer this block was built to read (the split's images for the first block, else the output of the one below). */
  forward(pass: ComputePass, x: GPUBuffer, step: GPUBindGroup): GPUBuffer {
    if (x !== (this.below ? this.below.output : this.input.images)) throw new Error('LinearBlock.forward: not the input it was built for');
    for (const [k, g] of this.dispatches.forward) k.encode(pass, g, step);
    return this.output;
  }

  /** Fills weight.grad and bias.grad from ∂l/∂output and returns ∂l/∂input's pre-activation; nothing for the first block. */
  backward(pass: ComputePass, dOutput: GPUBuffer, step: GPUBindGroup): GPUBuffer | void {
    let list = this.dispatches.backward.get(dOutput);
    if (!list) {
      const { dw, db, dx } = this.kernels;
      list = [
        [dw, this.below ? dw.bind({ x: this.below.output, dy: dOutput, dw: this.weight.grad }) : dw.bind({ images: this.input.images, order: this.input.order, dy: dOutput, dw: this.weight.grad })],
        [db, db.bind({ dlogits: dOutput, db: this.bias.grad })],
      ];
      if (dx && this.below && this.inputGrad) list.push([dx, dx.bind({ dy: dOutput, w: this.weight.value, h: this.below.output, dx: this.inputGrad })]);
      this.dispatches.backward.set(dOutput, list);
    }
    for (const [k, g] of list) k.encode(pass, g, step);
    return this.inputGrad ?? undefined;
  }

  destroy(): void {
    for (const b of [this.weight.grad, this.bias.grad, this.output, this.inputGrad]) b?.destroy();
  }
}

/**
 * Builds `layers` (Flatten first, then Linear layers each optionally followed by ReLU and Dropout) on the GPU as a
 * Sequential of LinearBlocks; feed its forward the split's images. `values[i]`: the i-th Linear's weight [in, out]
 * and bias [out] buffers. `training: false` leaves dropout out; `seed` picks dropout's masks (hidden layer i's
 * stream: kernels/dropout_mask.ts); `tiles`: the model's StepContext.tuning.dense.
 */
export async function buildSequential(
  gpu: Gpu,
  layers: readonly LayerDecl[],
  opts: { input: ImageInput; maxRows: number; values: Array<{ weight: GPUBuffer; bias: GPUBuffer }>; seed: number; training: boolean; tiles: MlpTiles },
): Promise<{ net: Sequential; blocks: LinearBlock[] }> {
  if (layers[0]?.type !== 'Flatten') throw new Error('buildSequential: the first layer must be Flatten (the input is images)');
  const blocks: LinearBlock[] = [];
  for (let i = 1; i < layers.length; ) {
    const layer = layers[i];
    if (layer.type !== 'Linear') throw new Error(`buildSequential: a ${layer.type} layer must follow a Linear`);
    let relu = false;
    let dropout = NO_DROPOUT;
    i++;
    if (layers[i]?.type === 'ReLU') {
      relu = true;
      i++;
    }
    const next = layers[i];
    if (next?.type === 'Dropout') {
      if (opts.training && next.p > 0) dropout = dropoutConstants(next.p, opts.seed, blocks.length);
      i++;
    }
    const values = opts.values[blocks.length];
    if (!values) throw new Error(`buildSequential: no parameter buffers for Linear ${blocks.length + 1}`);
    const below = blocks.at(-1) ?? null;
    blocks.push(await LinearBlock.create(gpu, { inFeatures: layer.inFeatures, outFeatures: layer.outFeatures, relu, dropout }, below, opts.input, opts.maxRows, values, opts.tiles));
  }
  return { net: new Sequential(...blocks), blocks };
}

/**
 * What `Sequential` chains: a layer records its forward into a pass and returns its output buffer; backward takes
 * ∂l/∂output and returns ∂l/∂input where the layer computes it (the first LinearBlock does not: it reads the images).
 */
export interface Layer {
  /** Records the forward of the rows `step` selects, reading `x`; returns the output buffer. */
  forward(pass: ComputePass, x: GPUBuffer, step: GPUBindGroup): GPUBuffer;
  /** Records the backward from ∂l/∂output; returns ∂l/∂input where the layer computes it. */
  backward(pass: ComputePass, dOutput: GPUBuffer, step: GPUBindGroup): GPUBuffer | void;
  /** Its trainable parameters. */
  parameters(): Parameter[];
  /** GPU buffer bytes it allocated. */
  readonly bytes: number;
  /** Frees its GPU buffers. */
  destroy(): void;
}

/**
 * Layers applied one after another, like nn.Sequential: forward in order, backward in reverse, the parameters of
 * all of them (for an optimizer: src/optim). A layer before the last must return ∂l/∂input from backward.
 */
export class Sequential implements Layer {
  /** The layers, first to last. */
  readonly layers: readonly Layer[];

  constructor(...layers: Layer[]) {
    if (layers.length === 0) throw new RangeError('Sequential needs at least one layer');
    this.layers = layers;
  }

  /** Records every layer's forward in order; returns the last output. */
  forward(pass: ComputePass, x: GPUBuffer, step: GPUBindGroup): GPUBuffer {
    return this.layers.reduce((input, layer) => layer.forward(pass, input, step), x);
  }

  /** Backpropagates ∂l/∂output through every layer, last to first; returns ∂l/∂input when the first layer gives it. */
  backward(pass: ComputePass, dOutput: GPUBuffer, step: GPUBindGroup): GPUBuffer | void {
    let d: GPUBuffer | void = dOutput;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      if (!d) throw new Error(`Sequential.backward: layer ${i + 2} gives no gradient for layer ${i + 1} to use (layers counted from 1)`);
      d = this.layers[i].backward(pass, d, step);
    }
    return d;
  }

  /** The parameters of every layer, in order. */
  parameters(): Parameter[] {
    return this.layers.flatMap((layer) => layer.parameters());
  }

  /** GPU buffer bytes of all the layers. */
  get bytes(): number {
    return this.layers.reduce((n, layer) => n + layer.bytes, 0);
  }

  /** Frees every layer. */
  destroy(): void {
    for (const layer of this.layers) layer.destroy();
  }
}
