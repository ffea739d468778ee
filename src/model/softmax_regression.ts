/**
 * Softmax regression's kernel paths and d2l's initialisation (W: [K, N], x·W + b, row-major, and b: [N]): the
 * `kernels` option and the choice of path, and the fused fast path, which both softmax-regression models run
 * unless told `kernels: separate` (the scratch model, d2l 3.6, with its clamped -log p[y]; concise, 3.7, a
 * Sequential whose network runs it with CrossEntropyLoss's log-sum-exp: nn/model.ts). The scratch model's
 * definition is built here too (softmaxModel: its parameters W and b, its evaluation forward, its separate step's
 * frame); scratch.ts says what its separate, teaching-form step records.
 */
import type { ImageShape } from '../data/dataset.js';
import { optionRef, UsageError } from '../errors.js';
import { COPY_DST, COPY_SRC, createBuffer, createBufferWith, STORAGE, UNIFORM } from '../gpu/buffers.js';
import type { Gpu } from '../gpu/device.js';
import type { ComputePass } from '../gpu/kernel.js';
import { FUSED_UNIFORM_BYTES, fusedForwardLossGrad, fusedUnsupported } from '../kernels/fused_forward_loss_grad.js';
import { fusedWeightGradSgd } from '../kernels/fused_weight_grad_sgd.js';
import { gatherMinibatch } from '../kernels/gather_minibatch.js';
import { matmulBias } from '../kernels/matmul_bias.js';
import { createSgdUniform } from '../kernels/optimizer.js';
import { sumEpochTotals } from '../kernels/sum_epoch_totals.js';
import { Rng } from '../random.js';
import { describeOptimizer, isPlainSgd, type OptimizerConfig } from '../optim/config.js';
import { type ForwardContext, type Forward, type GpuModel, type GpuParameter, type ModelDefinition, type ModelOptions, type ModelSpec, pixelsOf, type Templates, type StepContext, type StepRecorder } from './model.js';
import { accumulatingRecorder, createEpochTotals, type ModelSteps } from './recorder.js';
import { type ChoiceOption, parseOptions } from './options.js';
import { softmaxReference } from '../reference/softmax_regression.js';
import type { Parameters } from './tensors.js';

export type { ModelSteps } from './recorder.js';

export type KernelPath = 'fused' | 'separate';
/** `auto`: fused where its limits allow (see fusedUnsupported), else separate. */
export const KERNEL_CHOICES = ['auto', 'fused', 'separate'] as const;
/** The `kernels` option of the softmax-regression models. */
export type KernelChoice = (typeof KERNEL_CHOICES)[number];

/** The options of both softmax-regression models: which kernels a step runs. */
export const SOFTMAX_OPTIONS = {
  kernels: {
    kind: 'choice',
    choices: KERNEL_CHOICES,
    default: 'auto',
    label: 'Kernels',
    help: "fused: 2 dispatches per step (fast, batch <= 1638); separate: the model's own kernel per stage (teaching form); auto (default): fused where it fits",
  },
} as const satisfies Record<string, ChoiceOption>;

export const sizeOf = (buffers: Record<string, GPUBuffer>): number => Object.values(buffers).reduce((n, b) => n + b.size, 0);

/** W: [K, N], b: [N] for K input pixels and N classes. */
export function softmaxShapes(spec: ModelSpec): Record<string, readonly number[]> {
  return { W: [pixelsOf(spec.input), spec.classes], b: [spec.classes] };
}

/** d2l's initialisation: W ~ N(0, 0.01²), b = 0. */
export function softmaxInit(spec: ModelSpec, seed: number): Parameters {
  const [K, N] = softmaxShapes(spec).W;
  const rng = new Rng(seed);
  return { W: { shape: [K, N], data: rng.fillNormal(new Float32Array(K * N), 0, 0.01) }, b: { shape: [N], data: new Float32Array(N) } };
}

/** The spec from user options: only `kernels` (auto|fused|separate). */
export function softmaxSpec(kind: string, input: ImageShape, classes: number, options: ModelOptions): ModelSpec {
  return { kind, input, classes, options: parseOptions(kind, SOFTMAX_OPTIONS, options) };
}

/**
 * The kernel path a step of `rows` rows takes, or why the asked-for path cannot run. The fused path's update is
 * plain SGD (fused_weight_grad_sgd): with another `optimizer` the step is the separate one, whose W and b the
 * trainer's optimizer updates. A model without the `kernels` option (a network written in code that is softmax
 * regression: nn/model.ts) takes auto.
 */
export function resolveKernels(spec: ModelSpec, rows: number, optimizer?: OptimizerConfig): { path: KernelPath } | { problem: string } {
  const unsupported = fusedUnsupported({ rows, features: pixelsOf(spec.input), classes: spec.classes }) ?? (optimizer && !isPlainSgd(optimizer) ? `they update with plain SGD, not ${describeOptimizer(optimizer)}` : null);
  const choice = (spec.options.kernels ?? 'auto') as KernelChoice;
  if (choice === 'fused' && unsupported) return { problem: `${optionRef('kernels')} fused: ${unsupported}; use ${optionRef('kernels')} separate or auto` };
  // Unasked, fall back to the separate kernels where the fused ones do not fit (e.g. --batch-size 2048).
  return { path: choice === 'separate' || (choice === 'auto' && unsupported) ? 'separate' : 'fused' };
}

export function softmaxProblem(spec: ModelSpec, batchSize: number): string | null {
  const r = resolveKernels(spec, batchSize);
  return 'problem' in r ? r.problem : null;
}

/** Why `kernels: fused` cannot train with `optimizer` (the fused update is plain SGD), or null. */
export function softmaxOptimizerProblem(spec: ModelSpec, optimizer: OptimizerConfig): string | null {
  const r = spec.options.kernels === 'fused' ? resolveKernels(spec, 1, optimizer) : null;
  return r && 'problem' in r ? r.problem : null;
}

/** The parameters on the GPU. W is zero-padded to 64 KiB and bindable as a uniform too, for the fused kernels. */
export interface SoftmaxBuffers {
  W: GPUBuffer; // [K, N] f32 row-major, zero-padded to at least 64 KiB
  b: GPUBuffer; // [N] f32
}

export function uploadSoftmaxParameters(device: GPUDevice, params: Parameters): SoftmaxBuffers {
  return { W: uploadFusedWeight(device, 'W', params.W.data), b: createBufferWith(device, 'b', params.b.data) };
}

/** W [K, N] as the fused kernels read it: zero-padded to at least 64 KiB, bindable as storage and as a uniform. */
export function uploadFusedWeight(device: GPUDevice, label: string, data: Float32Array): GPUBuffer {
  const padded = new Float32Array(Math.max(data.length, FUSED_UNIFORM_BYTES / 4));
  padded.set(data);
  return createBufferWith(device, label, padded, STORAGE | UNIFORM | COPY_SRC | COPY_DST);
}

/** Evaluation forward: gather the rows, logits = x·W + b. The same kernels as the separate path's first two. */
export async function softmaxForward(gpu: Gpu, spec: ModelSpec, p: SoftmaxBuffers, ctx: ForwardContext): Promise<Forward> {
  const K = pixelsOf(spec.input);
  const N = spec.classes;
  const B = ctx.maxRows;
  const b = {
    x: createBuffer(gpu.device, 'forward x', B * K * 4), // [B, K] f32 row-major, pixels / 255
    y: createBuffer(gpu.device, 'forward y', B * 4), // [B] u32 (gathered with x; unused here)
    logits: createBuffer(gpu.device, 'forward logits', B * N * 4), // [B, N]
  };
  const [gather, mm] = await Promise.all([gatherMinibatch.create(gpu, { K }, { rows: B }), matmulBias.create(gpu, { K, N }, { rows: B, tiles: ctx.tuning.dense })]);
  const groups = {
    gather: gather.bind({ images: ctx.split.images, labels: ctx.split.labels, order: ctx.order, x: b.x, y: b.y }),
    mm: mm.bind({ x: b.x, w: p.W, b: p.b, logits: b.logits }),
  };
  return {
    logits: b.logits,
    bytes: sizeOf(b),
    encodeForward(pass, step) {
      gather.encode(pass, groups.gather, step);
      mm.encode(pass, groups.mm, step);
    },
    destroy() {
      for (const buffer of Object.values(b)) buffer.destroy();
    },
  };
}

/**
 * The fast path: two dispatches per step (fused_forward_loss_grad, fused_weight_grad_sgd) computing the same
 * math as the separate kernels, with per-sample results summed once at the epoch's end (sum_epoch_totals).
 * `stableLoss`: log-sum-exp (the concise model's CrossEntropyLoss) or d2l 3.6's clamped -log(p[y]).
 */
export async function fusedSoftmaxStep(gpu: Gpu, spec: ModelSpec, p: SoftmaxBuffers, ctx: StepContext, stableLoss: boolean): Promise<StepRecorder> {
  const { device } = gpu;
  const K = pixelsOf(spec.input);
  const count = ctx.train.count;
  const shapes = ctx.tuning.fused;
  const uniformStorage = STORAGE | UNIFORM | COPY_SRC | COPY_DST;
  const b = {
    // dlogits is also bound as a 64 KiB uniform (see the shaders), so it is that size.
    dlogits: createBuffer(device, 'dlogits', FUSED_UNIFORM_BYTES, uniformStorage), // [B, 10] f32, padded to 64 KiB
    sampleLoss: createBuffer(device, 'sample loss', count * 4), // [count] by epoch position
    sampleHit: createBuffer(device, 'sample hit', count * 4), // [count] by epoch position
    lossSum: createBuffer(device, 'loss sum', 4), // [1] f32
    correct: createBuffer(device, 'correct', 4), // [1] u32
    sgd: createSgdUniform(device, 'sgd', ctx.lr),
  };
  const [forward, update, totals] = await Promise.all([
    fusedForwardLossGrad.create(gpu, { K }, { rows: ctx.maxRows, workgroup: shapes.forward.workgroup, constants: { STABLE_LOSS: stableLoss ? 1 : 0, ROWS: shapes.forward.rows } }),
    fusedWeightGradSgd.create(gpu, { K }, { rows: ctx.maxRows, workgroup: shapes.update.workgroup }),
    sumEpochTotals.create(gpu, { SAMPLES: count }),
  ]);
  const groups = {
    forward: forward.bind({ images: ctx.train.images, labels: ctx.train.labels, order: ctx.order, w: p.W, b: p.b, dlogits: b.dlogits, sample_loss: b.sampleLoss, sample_hit: b.sampleHit }),
    update: update.bind({ images: ctx.train.images, order: ctx.order, dlogits: b.dlogits, w: p.W, b: p.b, sgd: b.sgd }),
    totals: totals.bind({ sample_loss: b.sampleLoss, sample_hit: b.sampleHit, loss_sum: b.lossSum, correct: b.correct }),
  };
  return {
    summary: 'fused kernels',
    lossSum: b.lossSum,
    correct: b.correct,
    bytes: sizeOf(b),
    epochEndDispatches: 1,
    trainables: [], // W and b are updated by fused_weight_grad_sgd
    beginEpoch() {},
    encodeStep(pass, step) {
      forward.encode(pass, groups.forward, step);
      update.encode(pass, groups.update, step);
    },
    endEpoch(encoder) {
      const pass = encoder.beginComputePass({ label: 'epoch totals' });
      totals.encode(pass, groups.totals);
      pass.end();
    },
    destroy() {
      for (const buffer of Object.values(b)) buffer.destroy();
    },
  };
}

/** The buffers every separate step reads and the epoch totals it adds to. */
export interface MinibatchIo {
  x: GPUBuffer; // [B, K] f32 row-major: the gathered minibatch, pixels / 255
  y: GPUBuffer; // [B] u32 labels
  lossSum: GPUBuffer; // [1] f32: sum of per-sample loss over the epoch so far
  correct: GPUBuffer; // [1] u32: correct predictions over the epoch so far
  predictions: GPUBuffer; // [B] u32: argmax of the last step
}

/**
 * The separate path's frame: gather the minibatch, then the model's own kernels (`model`), adding to the epoch's
 * totals step by step.
 */
export async function separateStep(
  gpu: Gpu,
  spec: ModelSpec,
  ctx: StepContext,
  model: (io: MinibatchIo) => Promise<ModelSteps>,
): Promise<StepRecorder> {
  const { device } = gpu;
  const K = pixelsOf(spec.input);
  const B = ctx.maxRows;
  const totals = createEpochTotals(device);
  const io: MinibatchIo = {
    ...totals,
    x: createBuffer(device, 'x', B * K * 4), // [B, K] f32 row-major, pixels / 255
    y: createBuffer(device, 'y', B * 4), // [B] u32
    predictions: createBuffer(device, 'predictions', B * 4), // [B] u32
  };
  const gather = await gatherMinibatch.create(gpu, { K }, { rows: B });
  const gatherGroup = gather.bind({ images: ctx.train.images, labels: ctx.train.labels, order: ctx.order, x: io.x, y: io.y });
  const steps = await model(io);
  return accumulatingRecorder('separate kernels', totals, {
    bytes: io.x.size + io.y.size + io.predictions.size + steps.bytes,
    trainables: steps.trainables,
    encode(pass, step) {
      gather.encode(pass, gatherGroup, step);
      steps.encode(pass, step);
    },
    destroy() {
      steps.destroy();
      for (const buffer of [io.x, io.y, io.predictions]) buffer.destroy();
    },
  });
}

/** The definition of a softmax-regression model with parameters W and b and a written-out separate step (scratch's). */
export function softmaxModel(def: {
  kind: string;
  summary: string;
  /** Why this model cannot train with `optimizer` beyond the fused path's limits (the scratch model writes out plain SGD), or null. */
  optimizerProblem?(optimizer: OptimizerConfig): string | null;
  separate(gpu: Gpu, spec: ModelSpec, p: SoftmaxBuffers, io: MinibatchIo, ctx: StepContext): Promise<ModelSteps>;
}): ModelDefinition {
  return {
    kind: def.kind,
    summary: def.summary,
    defaults: { lr: 0.1, epochs: 5 },
    options: SOFTMAX_OPTIONS,
    spec: (input, classes, options) => softmaxSpec(def.kind, input, classes, options),
    problem: softmaxProblem,
    optimizerProblem(spec, optimizer) {
      return def.optimizerProblem?.(optimizer) ?? softmaxOptimizerProblem(spec, optimizer);
    },
    init: softmaxInit,
    shapes: softmaxShapes,
    reference: softmaxReference,
    templates: (spec, params) => ({
      title: `Weight templates: column c of W as a ${spec.input.height}x${spec.input.width} image`,
      data: params.W.data,
      count: spec.classes,
      height: spec.input.height,
      width: spec.input.width * spec.input.channels,
      stride: spec.classes,
      offset: (c) => c,
      captions: 'classes',
    }),
    async create(gpu, spec, params): Promise<GpuModel> {
      const p = uploadSoftmaxParameters(gpu.device, params);
      const shapes = softmaxShapes(spec);
      const parameters: GpuParameter[] = [
        { name: 'W', shape: shapes.W, buffer: p.W },
        { name: 'b', shape: shapes.b, buffer: p.b },
      ];
      return {
        spec,
        parameters,
        bytes: p.W.size + p.b.size,
        async createStep(ctx) {
          const r = resolveKernels(spec, ctx.maxRows, ctx.optimizer);
          if ('problem' in r) throw new UsageError(r.problem);
          // d2l 3.6's clamped -log(p[y]), as its separate step computes it.
          if (r.path === 'fused') return fusedSoftmaxStep(gpu, spec, p, ctx, false);
          return separateStep(gpu, spec, ctx, (io) => def.separate(gpu, spec, p, io, ctx));
        },
        createForward: (ctx) => softmaxForward(gpu, spec, p, ctx),
        destroy() {
          p.W.destroy();
          p.b.destroy();
        },
      };
    },
  };
}

