/**
 * Two ways to record a training step, chosen by TrainerConfig.kernels:
 *  - 'separate': the model's own kernel sequence (gather, then the scratch model's 9 kernels or the concise
 *    model's layers), the teaching form; epoch totals accumulate step by step.
 *  - 'fused': two dispatches per step (fused_forward_loss_grad, fused_weight_grad_sgd) computing the same
 *    math, with per-sample results summed once at the epoch's end (sum_epoch_totals). The fast path.
 * Both leave the epoch's loss sum and correct count in `lossSum` / `correct`.
 */
import type { ComputePass } from '../gpu/kernel.js';
import type { AdapterSummary, Gpu } from '../gpu/device.js';
import { COPY_DST, COPY_SRC, createBuffer, createBufferWith, STORAGE, UNIFORM } from '../gpu/buffers.js';
import { FUSED_UNIFORM_BYTES, fusedForwardLossGrad } from '../kernels/fused_forward_loss_grad.js';
import { fusedWeightGradSgd } from '../kernels/fused_weight_grad_sgd.js';
import { gatherMinibatch } from '../kernels/gather_minibatch.js';
import type { Dims } from '../kernels/kernel.js';
import { createSgdUniform } from '../kernels/sgd_update.js';
import { createCountUniform, sumEpochTotals } from '../kernels/sum_epoch_totals.js';
import type { ModelFactory, ModelKind } from '../model/model.js';
import type { Parameters } from '../model/parameters.js';
import type { GpuSplit } from './gpu_dataset.js';

export type KernelPath = 'fused' | 'separate';

const sizeOf = (buffers: Record<string, GPUBuffer>) => Object.values(buffers).reduce((n, b) => n + b.size, 0);
export const KERNEL_PATHS: readonly KernelPath[] = ['fused', 'separate'];

export interface StepRecorder {
  readonly weights: GPUBuffer; // W: [features, classes] f32 row-major
  readonly bias: GPUBuffer; // b: [classes]
  readonly lossSum: GPUBuffer; // [1] f32 after endEpoch
  readonly correct: GPUBuffer; // [1] u32 after endEpoch
  beginEpoch(encoder: GPUCommandEncoder): void;
  recordStep(pass: ComputePass, step: GPUBindGroup): void;
  endEpoch(encoder: GPUCommandEncoder): void;
  /** GPU buffer bytes the recorder (and its model) allocated. */
  readonly bytes: number;
  /** Dispatches endEpoch records. */
  readonly epochEndDispatches: number;
  destroy(): void;
}

interface RecorderArgs {
  gpu: Gpu;
  train: GpuSplit;
  order: GPUBuffer; // [count] u32
  dims: Dims; // rows = batch size
  lr: number;
  init: Parameters;
}

export async function createSeparateRecorder(a: RecorderArgs, factory: ModelFactory): Promise<StepRecorder> {
  const { device } = a.gpu;
  const { rows: B, features, classes } = a.dims;
  const io = {
    x: createBuffer(device, 'x', B * features * 4), // [B, features] f32 row-major, pixels / 255
    y: createBuffer(device, 'y', B * 4), // [B] u32
    lossSum: createBuffer(device, 'loss sum', 4), // [1] f32, summed over the epoch
    correct: createBuffer(device, 'correct', 4), // [1] u32, summed over the epoch
    predictions: createBuffer(device, 'predictions', B * 4), // [B] u32
  };
  const gather = await gatherMinibatch.create(a.gpu);
  const gatherGroup = gather.bind({ images: a.train.images, labels: a.train.labels, order: a.order, x: io.x, y: io.y });
  const model = await factory(a.gpu, io, { maxRows: B, features, classes, lr: a.lr }, a.init);
  return {
    bytes: sizeOf(io) + model.bytes,
    weights: model.weights,
    bias: model.bias,
    lossSum: io.lossSum,
    correct: io.correct,
    beginEpoch(encoder) {
      encoder.clearBuffer(io.lossSum);
      encoder.clearBuffer(io.correct);
    },
    recordStep(pass, step) {
      gather.encode(pass, gatherGroup, step, a.dims);
      model.encodeStep(pass, step);
    },
    endEpoch() {},
    epochEndDispatches: 0,
    destroy() {
      model.destroy();
      for (const b of Object.values(io)) b.destroy();
    },
  };
}

/**
 * Shapes of the fused kernels per kind of adapter: workgroup sizes and rows per forward invocation. A CPU
 * Vulkan driver (lavapipe, SwiftShader) runs a workgroup as SIMD lanes on one thread and loads W once per
 * lane, so it wants few invocations that each reuse a load for many rows, in small workgroups that spread a
 * step over the cores: measured fastest on lavapipe with 2 cores (BENCHMARKS.md). A GPU wants at least a
 * warp/wavefront per workgroup and more, smaller invocations (not yet measured).
 */
export interface FusedShapes {
  forward: { workgroup: number; rows: number };
  update: { workgroup: number };
}
export const FUSED_SHAPES: { cpu: FusedShapes; gpu: FusedShapes } = {
  cpu: { forward: { workgroup: 16, rows: 8 }, update: { workgroup: 8 } },
  gpu: { forward: { workgroup: 64, rows: 2 }, update: { workgroup: 64 } },
};

/** Software adapters: Dawn marks them as fallback adapters; lavapipe also calls its architecture "software". */
export function isCpuAdapter(info: AdapterSummary): boolean {
  return info.isFallbackAdapter || info.architecture === 'software' || /llvmpipe|lavapipe|swiftshader/i.test(info.description + info.device);
}

export async function createFusedRecorder(
  a: RecorderArgs,
  model: ModelKind,
  shapes = isCpuAdapter(a.gpu.adapterInfo) ? FUSED_SHAPES.cpu : FUSED_SHAPES.gpu,
): Promise<StepRecorder> {
  const { device } = a.gpu;
  const { rows: B, features, classes } = a.dims;
  const count = a.train.count;
  // W and dlogits are also bound as 64 KiB uniforms (see the shaders), so they are padded to that size.
  const uniformStorage = STORAGE | UNIFORM | COPY_SRC | COPY_DST;
  const paddedW = new Float32Array(Math.max(a.init.weights.length, FUSED_UNIFORM_BYTES / 4));
  paddedW.set(a.init.weights);
  const b = {
    weights: createBufferWith(device, 'W', paddedW, uniformStorage), // [features, classes] row-major, zero-padded to 64 KiB
    bias: createBufferWith(device, 'b', a.init.bias), // [classes]
    dlogits: createBuffer(device, 'dlogits', FUSED_UNIFORM_BYTES, uniformStorage), // [B, classes], padded to 64 KiB
    sampleLoss: createBuffer(device, 'sample loss', count * 4), // [count] by epoch position
    sampleHit: createBuffer(device, 'sample hit', count * 4), // [count] by epoch position
    lossSum: createBuffer(device, 'loss sum', 4), // [1] f32
    correct: createBuffer(device, 'correct', 4), // [1] u32
    sgd: createSgdUniform(device, 'sgd', a.lr, features * classes),
    count: createCountUniform(device, count),
  };
  const [forward, update, totals] = await Promise.all([
    // The scratch model's loss is d2l's clamped -log(p[y]); the concise model's is log-sum-exp.
    fusedForwardLossGrad.create(a.gpu, { workgroup: shapes.forward.workgroup, constants: { STABLE_LOSS: model === 'concise' ? 1 : 0, ROWS: shapes.forward.rows } }),
    fusedWeightGradSgd.create(a.gpu, { workgroup: shapes.update.workgroup }),
    sumEpochTotals.create(a.gpu),
  ]);
  const groups = {
    forward: forward.bind({ images: a.train.images, labels: a.train.labels, order: a.order, w: b.weights, b: b.bias, dlogits: b.dlogits, sample_loss: b.sampleLoss, sample_hit: b.sampleHit }),
    update: update.bind({ images: a.train.images, order: a.order, dlogits: b.dlogits, w: b.weights, b: b.bias, sgd: b.sgd }),
    totals: totals.bind({ count: b.count, sample_loss: b.sampleLoss, sample_hit: b.sampleHit, loss_sum: b.lossSum, correct: b.correct }),
  };
  return {
    weights: b.weights,
    bias: b.bias,
    lossSum: b.lossSum,
    correct: b.correct,
    bytes: sizeOf(b),
    beginEpoch() {},
    recordStep(pass, step) {
      forward.encode(pass, groups.forward, step, a.dims);
      update.encode(pass, groups.update, step, a.dims);
    },
    endEpoch(encoder) {
      const pass = encoder.beginComputePass({ label: 'epoch totals' });
      totals.encode(pass, groups.totals, null, a.dims);
      pass.end();
    },
    epochEndDispatches: 1,
    destroy() {
      for (const buffer of Object.values(b)) buffer.destroy();
    },
  };
}
