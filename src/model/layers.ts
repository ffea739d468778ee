/**
 * A small layer API in the shape PyTorch users know (d2l 3.7: nn.Linear, nn.CrossEntropyLoss, optim.SGD).
 * Calls record GPU work into a compute pass instead of running it, so a whole step (or epoch) is recorded
 * once and replayed by the queue; shapes are fixed when a layer is created, buffers and bind groups are made
 * on first use and reused afterwards.
 */
import type { ComputePass } from '../gpu/kernel.js';
import type { Gpu } from '../gpu/device.js';
import { createBuffer } from '../gpu/buffers.js';
import { biasGrad } from '../kernels/bias_grad.js';
import type { BoundKernel } from '../kernels/kernel.js';
import { logSoftmaxCrossEntropy } from '../kernels/log_softmax_cross_entropy.js';
import { matmulBias } from '../kernels/matmul_bias.js';
import { createSgdUniform, sgdUpdate } from '../kernels/sgd_update.js';
import { weightGrad } from '../kernels/weight_grad.js';
import { elementsOf } from './tensors.js';

/** A trainable tensor on the GPU and its gradient. `value` belongs to the model; the layer owns `grad`. */
export interface Parameter {
  name: string;
  shape: readonly number[];
  value: GPUBuffer;
  grad: GPUBuffer;
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

/** y = x·W + b with W: [in, out] row-major (PyTorch stores Wᵀ; the math is the same). */
export class Linear {
  readonly weight: Parameter;
  readonly bias: Parameter;
  readonly output: GPUBuffer; // [maxRows, out] f32 row-major
  private input: GPUBuffer | null = null;
  private readonly forwardGroups = new Map<GPUBuffer, GPUBindGroup>();
  private readonly weightGradGroups = new Map<GPUBuffer, GPUBindGroup>();
  private readonly biasGradGroups = new Map<GPUBuffer, GPUBindGroup>();

  private constructor(
    device: GPUDevice,
    readonly inFeatures: number,
    readonly outFeatures: number,
    maxRows: number,
    values: { weight: GPUBuffer; bias: GPUBuffer },
    private readonly kernels: { forward: BoundKernel<'x' | 'w' | 'b' | 'logits'>; dw: BoundKernel<'x' | 'dlogits' | 'dw'>; db: BoundKernel<'dlogits' | 'db'> },
  ) {
    const [K, N] = [inFeatures, outFeatures];
    this.weight = { name: 'weight', shape: [K, N], value: values.weight, grad: createBuffer(device, 'Linear.weight.grad', K * N * 4) };
    this.bias = { name: 'bias', shape: [N], value: values.bias, grad: createBuffer(device, 'Linear.bias.grad', N * 4) };
    this.output = createBuffer(device, 'Linear.output', maxRows * N * 4);
  }

  /** `values`: the model's W [in, out] and b [out] buffers, which this layer reads and its optimiser updates. */
  static async create(gpu: Gpu, inFeatures: number, outFeatures: number, maxRows: number, values: { weight: GPUBuffer; bias: GPUBuffer }): Promise<Linear> {
    const shape = { K: inFeatures, N: outFeatures };
    const [forward, dw, db] = await Promise.all([
      matmulBias.create(gpu, shape, { rows: maxRows }),
      weightGrad.create(gpu, shape, { rows: maxRows }),
      biasGrad.create(gpu, { N: outFeatures }, { rows: maxRows }),
    ]);
    return new Linear(gpu.device, inFeatures, outFeatures, maxRows, values, { forward, dw, db });
  }

  parameters(): Parameter[] {
    return [this.weight, this.bias];
  }

  /** Bytes of the buffers this layer owns (gradients and output). */
  get bytes(): number {
    return this.weight.grad.size + this.bias.grad.size + this.output.size;
  }

  forward(pass: ComputePass, x: GPUBuffer, step: GPUBindGroup): GPUBuffer {
    this.input = x;
    const group = bindOnce(this.forwardGroups, x, this.kernels.forward, { x, w: this.weight.value, b: this.bias.value, logits: this.output });
    this.kernels.forward.encode(pass, group, step);
    return this.output;
  }

  /** Fills weight.grad and bias.grad from ∂l/∂output, using the input of the last forward. */
  backward(pass: ComputePass, dOutput: GPUBuffer, step: GPUBindGroup): void {
    if (!this.input) throw new Error('Linear.backward before forward');
    const x = this.input;
    const dw = bindOnce(this.weightGradGroups, dOutput, this.kernels.dw, { x, dlogits: dOutput, dw: this.weight.grad });
    const db = bindOnce(this.biasGradGroups, dOutput, this.kernels.db, { dlogits: dOutput, db: this.bias.grad });
    this.kernels.dw.encode(pass, dw, step);
    this.kernels.db.encode(pass, db, step);
  }

  destroy(): void {
    for (const b of [this.weight.grad, this.bias.grad, this.output]) b.destroy();
  }
}

/**
 * Mean cross-entropy on logits, fused and numerically stable (log-sum-exp), like nn.CrossEntropyLoss.
 * The per-sample losses are summed into `lossSum` on the GPU (read once per epoch); the gradient for the
 * mean is computed in the same pass, since it needs the same log-sum-exp, and handed out by backward().
 */
export class CrossEntropyLoss {
  readonly loss: GPUBuffer; // [maxRows] per-sample loss
  readonly dlogits: GPUBuffer; // [maxRows, classes]
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

  static async create(gpu: Gpu, maxRows: number, classes: number, lossSum: GPUBuffer): Promise<CrossEntropyLoss> {
    return new CrossEntropyLoss(gpu.device, maxRows, classes, lossSum, await logSoftmaxCrossEntropy.create(gpu, { N: classes }, { rows: maxRows }));
  }

  get bytes(): number {
    return this.loss.size + this.dlogits.size;
  }

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

  destroy(): void {
    this.loss.destroy();
    this.dlogits.destroy();
  }
}

/** Plain minibatch SGD, param -= lr * grad, like optim.SGD(params, lr). */
export class SGD {
  private constructor(
    private readonly updates: Array<{ kernel: BoundKernel<'sgd' | 'param' | 'grad'>; group: GPUBindGroup }>,
    private readonly uniform: GPUBuffer,
  ) {}

  static async create(gpu: Gpu, params: Parameter[], lr: number): Promise<SGD> {
    const uniform = createSgdUniform(gpu.device, 'SGD lr', lr);
    const updates = await Promise.all(
      params.map(async (p) => {
        const kernel = await sgdUpdate.create(gpu, { COUNT: elementsOf(p.shape) });
        return { kernel, group: kernel.bind({ sgd: uniform, param: p.value, grad: p.grad }) };
      }),
    );
    return new SGD(updates, uniform);
  }

  step(pass: ComputePass): void {
    for (const u of this.updates) u.kernel.encode(pass, u.group);
  }

  destroy(): void {
    this.uniform.destroy();
  }
}

/**
 * What `Sequential` chains: a layer records its forward into a pass and returns its output buffer; backward takes
 * ∂l/∂output and returns ∂l/∂input where the layer computes it (`Linear` does not: it is a first layer).
 */
export interface Layer {
  forward(pass: ComputePass, x: GPUBuffer, step: GPUBindGroup): GPUBuffer;
  backward(pass: ComputePass, dOutput: GPUBuffer, step: GPUBindGroup): GPUBuffer | void;
  parameters(): Parameter[];
  readonly bytes: number;
  destroy(): void;
}

/**
 * Layers applied one after another, like nn.Sequential: forward in order, backward in reverse, the parameters of
 * all of them (for `SGD.create`). A layer before the last must return ∂l/∂input from backward.
 */
export class Sequential implements Layer {
  readonly layers: readonly Layer[];

  constructor(...layers: Layer[]) {
    if (layers.length === 0) throw new RangeError('Sequential needs at least one layer');
    this.layers = layers;
  }

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

  parameters(): Parameter[] {
    return this.layers.flatMap((layer) => layer.parameters());
  }

  get bytes(): number {
    return this.layers.reduce((n, layer) => n + layer.bytes, 0);
  }

  destroy(): void {
    for (const layer of this.layers) layer.destroy();
  }
}
