/**
 * A step run as chunks of rows (a minibatch whose activations would not fit one storage binding: train/steps.ts
 * chunkSteps) sums its trainables' gradients over the chunks before the optimizer's update. Each chunk's backward
 * writes the gradients of its rows into each trainable's `grad`, as an unchunked step does (the loss divides by the
 * whole minibatch's rows), and shaders/accumulate_gradient.wgsl adds them up in a buffer beside it:
 *   after the first chunk:             sum = grad
 *   after each later one but the last: sum += grad
 *   after the last:                    grad += sum   (the optimizer then reads `grad`, as it does unchunked)
 * So the step's update is the whole minibatch's, to the order of a sum: gradient accumulation, exact where the
 * network has no BatchNorm (whose statistics are each chunk's; GpuModel.chunkCaveat says so).
 */
import { createBuffer } from '../gpu/buffers.js';
import type { Gpu } from '../gpu/device.js';
import type { ComputePass } from '../gpu/kernel.js';
import { gradientSumAdd, gradientSumBegin, gradientSumFinish } from '../kernels/accumulate_gradient.js';
import { bound, type Dispatch } from '../kernels/kernel.js';
import { elementsOf } from '../model/tensors.js';
import type { TrainableParameter } from '../optim/gpu.js';

export class GradientChunks {
  private constructor(
    private readonly sums: GPUBuffer[],
    private readonly begin: Dispatch[],
    private readonly add: Dispatch[],
    private readonly finish: Dispatch[],
  ) {}

  /** A sum buffer beside each of `trainables`' gradients, and the three passes over each. */
  static async create(gpu: Gpu, trainables: readonly TrainableParameter[]): Promise<GradientChunks> {
    const sums: GPUBuffer[] = [];
    const [begin, add, finish]: Dispatch[][] = [[], [], []];
    for (const p of trainables) {
      const COUNT = elementsOf(p.shape);
      const sum = createBuffer(gpu.device, `${p.name}.grad sum over chunks`, COUNT * 4); // [COUNT] f32, like p.grad
      sums.push(sum);
      const [b, a, f] = await Promise.all([gradientSumBegin.create(gpu, { COUNT }), gradientSumAdd.create(gpu, { COUNT }), gradientSumFinish.create(gpu, { COUNT })]);
      begin.push(bound(b, { grad: p.grad, sum }));
      add.push(bound(a, { grad: p.grad, sum }));
      finish.push(bound(f, { last_grad: p.grad, earlier_sum: sum }));
    }
    return new GradientChunks(sums, begin, add, finish);
  }

  /** GPU buffer bytes of the sums. */
  get bytes(): number {
    return this.sums.reduce((n, b) => n + b.size, 0);
  }

  /** Records what follows chunk `index` (from 0) of a step of `chunks` chunks; nothing where the step is one chunk. */
  encodeAfterChunk(pass: ComputePass, index: number, chunks: number): void {
    if (chunks === 1) return;
    const dispatches = index === 0 ? this.begin : index === chunks - 1 ? this.finish : this.add;
    for (const [kernel, group] of dispatches) kernel.encode(pass, group);
  }

  destroy(): void {
    for (const b of this.sums) b.destroy();
  }
}
