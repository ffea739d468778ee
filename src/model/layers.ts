/**
 * A small layer API in the shape PyTorch users know (d2l 3.7: nn.Linear, nn.CrossEntropyLoss, optim.SGD).
 * Calls record GPU work into a compute pass instead of running it, so a whole step (or epoch) is recorded
 * once and replayed by the queue; buffers and bind groups are made on first use and reused afterwards.
 */
import type { ComputePass } from '../gpu/kernel.js';
import type { Gpu } from '../gpu/device.js';
import { createBuffer, createBufferWith } from '../gpu/buffers.js';
import { biasGrad } from '../kernels/bias_grad.js';
import type { BoundKernel, Dims } from '../kernels/kernel.js';
import { logSoftmaxCrossEntropy } from '../kernels/log_softmax_cross_entropy.js';
import { matmulBias } from '../kernels/matmul_bias.js';
import { createSgdUniform, sgdDims, sgdUpdate } from '../kernels/sgd_update.js';
import { weightGrad } from '../kernels/weight_grad.js';

/** A trainable tensor and its gradient, both f32 on the GPU. */
export interface Parameter {
  name: string;
  value: GPUBuffer;
  grad: GPUBuffer;
  size: number; // elements
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
  readonly output: GPUBuffer; // [maxRows, out]
  private input: GPUBuffer | null = null;
  private readonly forwardGroups = new Map<GPUBuffer, GPUBindGroup>();
  private readonly weightGradGroups = new Map<GPUBuffer, GPUBindGroup>();
  private readonly biasGradGroups = new Map<GPUBuffer, GPUBindGroup>();

  private constructor(
    device: GPUDevice,
    readonly dims: Dims,
    init: { weight: Float32Array; bias: Float32Array },
    private readonly kernels: { forward: BoundKernel<'x' | 'w' | 'b' | 'logits'>; dw: BoundKernel<'x' | 'dlogits' | 'dw'>; db: BoundKernel<'dlogits' | 'db'> },
  ) {
    const { features: K, classes: N, rows: B } = dims;
    this.weight = { name: 'weight', value: createBufferWith(device, 'Linear.weight', init.weight), grad: createBuffer(device, 'Linear.weight.grad', K * N * 4), size: K * N };
    this.bias = { name: 'bias', value: createBufferWith(device, 'Linear.bias', init.bias), grad: createBuffer(device, 'Linear.bias.grad', N * 4), size: N };
    this.output = createBuffer(device, 'Linear.output', B * N * 4);
  }

  static async create(gpu: Gpu, inFeatures: number, outFeatures: number, maxRows: number, init: { weight: Float32Array; bias: Float32Array }): Promise<Linear> {
    const [forward, dw, db] = await Promise.all([matmulBias.create(gpu), weightGrad.create(gpu), biasGrad.create(gpu)]);
    return new Linear(gpu.device, { rows: maxRows, features: inFeatures, classes: outFeatures }, init, { forward, dw, db });
  }

  parameters(): Parameter[] {
    return [this.weight, this.bias];
  }

  forward(pass: ComputePass, x: GPUBuffer, step: GPUBindGroup): GPUBuffer {
    this.input = x;
    const group = bindOnce(this.forwardGroups, x, this.kernels.forward, { x, w: this.weight.value, b: this.bias.value, logits: this.output });
    this.kernels.forward.encode(pass, group, step, this.dims);
    return this.output;
  }

  /** Fills weight.grad and bias.grad from ∂l/∂output, using the input of the last forward. */
  backward(pass: ComputePass, dOutput: GPUBuffer, step: GPUBindGroup): void {
    if (!this.input) throw new Error('Linear.backward before forward');
    const x = this.input;
    const dw = bindOnce(this.weightGradGroups, dOutput, this.kernels.dw, { x, dlogits: dOutput, dw: this.weight.grad });
    const db = bindOnce(this.biasGradGroups, dOutput, this.kernels.db, { dlogits: dOutput, db: this.bias.grad });
    this.kernels.dw.encode(pass, dw, step, this.dims);
    this.kernels.db.encode(pass, db, step, this.dims);
  }

  destroy(): void {
    for (const b of [this.weight.value, this.weight.grad, this.bias.value, this.bias.grad, this.output]) b.destroy();
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
    private readonly dims: Dims,
    private readonly lossSum: GPUBuffer,
    private readonly kernel: BoundKernel<'logits' | 'y' | 'loss' | 'loss_sum' | 'dlogits'>,
  ) {
    this.loss = createBuffer(device, 'CrossEntropyLoss.loss', dims.rows * 4);
    this.dlogits = createBuffer(device, 'CrossEntropyLoss.dlogits', dims.rows * dims.classes * 4);
  }

  static async create(gpu: Gpu, maxRows: number, classes: number, lossSum: GPUBuffer): Promise<CrossEntropyLoss> {
    return new CrossEntropyLoss(gpu.device, { rows: maxRows, features: 0, classes }, lossSum, await logSoftmaxCrossEntropy.create(gpu));
  }

  forward(pass: ComputePass, logits: GPUBuffer, y: GPUBuffer, step: GPUBindGroup): GPUBuffer {
    // Keyed by logits only: one loss object serves one model, whose label buffer does not change.
    const group = bindOnce(this.groups, logits, this.kernel, { logits, y, loss: this.loss, loss_sum: this.lossSum, dlogits: this.dlogits });
    this.kernel.encode(pass, group, step, this.dims);
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
    private readonly kernel: BoundKernel<'sgd' | 'param' | 'grad'>,
    private readonly updates: Array<{ group: GPUBindGroup; size: number; uniform: GPUBuffer }>,
  ) {}

  static async create(gpu: Gpu, params: Parameter[], lr: number): Promise<SGD> {
    const kernel = await sgdUpdate.create(gpu);
    const updates = params.map((p) => {
      const uniform = createSgdUniform(gpu.device, `SGD ${p.name}`, lr, p.size);
      return { group: kernel.bind({ sgd: uniform, param: p.value, grad: p.grad }), size: p.size, uniform };
    });
    return new SGD(kernel, updates);
  }

  step(pass: ComputePass): void {
    for (const u of this.updates) this.kernel.encode(pass, u.group, null, sgdDims(u.size));
  }

  destroy(): void {
    for (const u of this.updates) u.uniform.destroy();
  }
}
