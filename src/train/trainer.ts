/**
 * The GPU training loop's orchestration. Everything is created once: the training set on the GPU, the
 * minibatch buffers, the model's buffers and bind groups, one @group(1) slot per step of an epoch.
 * An epoch is then: upload its shuffled order (one 240 KB write), record every step (gather -> forward ->
 * loss -> backward -> update) into a few command buffers, submit, and read back two numbers at the end
 * (loss sum and correct count, accumulated on the GPU). Nothing is read back per step.
 */
import { epochOrder } from '../data/minibatches.js';
import type { Gpu } from '../gpu/device.js';
import { GpuError } from '../errors.js';
import { createBuffer, readBuffer } from '../gpu/buffers.js';
import { fusedUnsupported } from '../kernels/fused_forward_loss_grad.js';
import type { Dims } from '../kernels/kernel.js';
import { createConciseModel } from '../model/concise.js';
import type { ModelFactory, ModelKind } from '../model/model.js';
import { CLASSES, FEATURES, type Parameters } from '../model/parameters.js';
import { createScratchModel } from '../model/scratch.js';
import { Evaluator, type Evaluation } from './evaluate.js';
import { destroySplit, type GpuSplit, type ImageSplit, uploadSplit } from './gpu_dataset.js';
import { createFusedRecorder, createSeparateRecorder, type FusedShapes, type KernelPath, type StepRecorder } from './step_recorders.js';
import { DispatchLog, type Profiler } from './profile.js';
import { epochSteps, StepSlots } from './steps.js';

export const MODEL_FACTORIES: Record<ModelKind, ModelFactory> = {
  scratch: createScratchModel,
  concise: createConciseModel,
};

export interface TrainerConfig {
  model: ModelKind;
  lr: number;
  batchSize: number;
  seed: number;
  /**
   * 'fused': two kernels per step; 'separate': the model's own kernel sequence. Unset: fused where its
   * limits allow (784-ish features, 10 classes, batch <= 1638), else separate.
   */
  kernels?: KernelPath;
  /**
   * Steps recorded per queue.submit. 1 is the straightforward orchestration (one submit per minibatch);
   * the default splits an epoch into about ten submits, which keeps the GPU queue full and lets a
   * progress bar follow the GPU's actual progress.
   */
  stepsPerSubmit?: number;
}

export interface EpochMetrics {
  epoch: number; // 1-based, as printed
  loss: number; // mean cross-entropy over the epoch's samples, with the weights of each step
  trainAccuracy: number; // accuracy accumulated during the epoch, as d2l's train_epoch_ch3 reports it
  seconds: number;
}

export type Progress = (stepsDone: number, steps: number) => void;

export class Trainer {
  private constructor(
    readonly gpu: Gpu,
    readonly config: Required<TrainerConfig>,
    readonly train: GpuSplit,
    readonly test: GpuSplit | null,
    private readonly recorder: StepRecorder,
    private readonly order: GPUBuffer,
    private readonly slots: StepSlots,
    private readonly dims: Dims,
    private readonly evaluator: Evaluator | null,
  ) {}

  /** `fusedShapes` overrides FUSED_SHAPES for the adapter's kind; only `npm run bench -- --sweep` sets it. */
  static async create(gpu: Gpu, data: { train: ImageSplit; test?: ImageSplit }, config: TrainerConfig, init: Parameters, fusedShapes?: FusedShapes): Promise<Trainer> {
    const { device } = gpu;
    const features = init.features ?? FEATURES;
    const classes = init.classes ?? CLASSES;
    const steps = epochSteps(data.train.count, config.batchSize);
    const B = Math.min(config.batchSize, data.train.count);
    const dims: Dims = { rows: B, features, classes };
    const full: Required<TrainerConfig> = {
      ...config,
      stepsPerSubmit: Math.max(1, Math.floor(config.stepsPerSubmit ?? Math.ceil(steps.length / 10))),
      kernels: config.kernels ?? 'fused',
    };
    const unsupported = fusedUnsupported(dims);
    if (config.kernels === 'fused' && unsupported) throw new GpuError(`cannot use the fused kernels: ${unsupported}; use --kernels separate`);
    // Unasked, fall back to the separate kernels where the fused ones do not fit (e.g. --batch-size 2048).
    if (!config.kernels && unsupported) full.kernels = 'separate';

    const train = uploadSplit(device, data.train, features, 'train');
    const test = data.test ? uploadSplit(device, data.test, features, 'test') : null;
    const order = createBuffer(device, 'order', data.train.count * 4); // [count] u32: sample index at each position
    const args = { gpu, train, order, dims, lr: config.lr, init };
    const recorder = full.kernels === 'fused' ? await createFusedRecorder(args, config.model, fusedShapes) : await createSeparateRecorder(args, MODEL_FACTORIES[config.model]);
    // Any kernel's @group(1) layout will do: they all declare the same single Step uniform.
    const stepLayout = device.createBindGroupLayout({ label: 'step', entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } }] });
    const slots = StepSlots.create(device, stepLayout, steps, features, classes);
    const evaluator = test ? await Evaluator.create(gpu, test, recorder.weights, recorder.bias, classes) : null;
    return new Trainer(gpu, full, train, test, recorder, order, slots, dims, evaluator);
  }

  get stepsPerEpoch(): number {
    return this.slots.ranges.length;
  }

  /**
   * Trains one epoch (0-based `epoch` picks the shuffle) and returns its metrics. With a profiler, every
   * dispatch runs in its own timed pass (slower, same results) and the profiler collects per-kernel times.
   */
  async trainEpoch(epoch: number, onProgress?: Progress, profiler?: Profiler): Promise<EpochMetrics> {
    const { device } = this.gpu;
    const start = performance.now();
    const order = epochOrder(this.train.count, this.config.seed, epoch);
    device.queue.writeBuffer(this.order, 0, order);
    const done = profiler ? await this.submitProfiled(profiler) : this.submitEpoch(epoch, onProgress);
    const [lossSum, correct] = await Promise.all([
      readBuffer(device, this.recorder.lossSum, 4),
      readBuffer(device, this.recorder.correct, 4),
      ...done,
    ]);
    const samples = this.train.count;
    return {
      epoch: epoch + 1,
      loss: new Float32Array(lossSum as ArrayBuffer)[0] / samples,
      trainAccuracy: new Uint32Array(correct as ArrayBuffer)[0] / samples,
      seconds: (performance.now() - start) / 1000,
    };
  }

  /** Records the epoch's steps into ~stepsPerSubmit-sized command buffers and submits them all at once. */
  private submitEpoch(epoch: number, onProgress?: Progress): Array<Promise<void>> {
    const { device } = this.gpu;
    const steps = this.slots.ranges.length;
    const done: Array<Promise<void>> = [];
    for (let first = 0; first < steps; first += this.config.stepsPerSubmit) {
      const last = Math.min(steps, first + this.config.stepsPerSubmit);
      const encoder = device.createCommandEncoder({ label: `epoch ${epoch + 1} steps ${first}..${last - 1}` });
      if (first === 0) this.recorder.beginEpoch(encoder);
      const pass = encoder.beginComputePass();
      for (let s = first; s < last; s++) this.recorder.recordStep(pass, this.slots.groups[s]);
      pass.end();
      if (last === steps) this.recorder.endEpoch(encoder);
      device.queue.submit([encoder.finish()]);
      // Resolves when the GPU has finished this chunk, so the bar follows the GPU, not the CPU's recording.
      if (onProgress) done.push(device.queue.onSubmittedWorkDone().then(() => onProgress(last, steps)));
    }
    return done;
  }

  /** The same epoch with every dispatch in its own timestamped pass. */
  private async submitProfiled(profiler: Profiler): Promise<Array<Promise<void>>> {
    const { device } = this.gpu;
    const begin = device.createCommandEncoder({ label: 'epoch begin' });
    this.recorder.beginEpoch(begin);
    device.queue.submit([begin.finish()]);
    const log = new DispatchLog();
    for (const step of this.slots.groups) this.recorder.recordStep(log, step);
    await profiler.replay(log, (encoder) => device.queue.submit([encoder.finish()]));
    const end = device.createCommandEncoder({ label: 'epoch end' });
    this.recorder.endEpoch(end);
    device.queue.submit([end.finish()]);
    return [];
  }

  /** Loss, accuracy, predictions and probabilities on the test split, in one submit. */
  async evaluate(): Promise<Evaluation> {
    if (!this.evaluator) throw new Error('Trainer was created without a test split');
    return this.evaluator.evaluate();
  }

  async readParameters(): Promise<Parameters> {
    const { device } = this.gpu;
    const { features, classes } = this.dims;
    const [w, b] = await Promise.all([readBuffer(device, this.recorder.weights, features * classes * 4), readBuffer(device, this.recorder.bias, classes * 4)]);
    return { weights: new Float32Array(w), bias: new Float32Array(b), features, classes };
  }

  /** Dispatches one epoch records (fused: 2 per step + 1 for the totals; separate: the model's per-step count). */
  dispatchesPerEpoch(): number {
    const log = new DispatchLog();
    this.recorder.recordStep(log, this.slots.groups[0]);
    return log.dispatches.length * this.stepsPerEpoch + this.recorder.epochEndDispatches;
  }

  /** GPU memory this trainer holds, in bytes (dataset included). */
  gpuBytes(): number {
    return this.train.bytes + (this.test?.bytes ?? 0) + this.recorder.bytes + (this.evaluator?.bytes ?? 0) + this.order.size + this.slots.buffer.size;
  }

  destroy(): void {
    this.recorder.destroy();
    this.evaluator?.destroy();
    this.slots.destroy();
    this.order.destroy();
    destroySplit(this.train);
    if (this.test) destroySplit(this.test);
  }
}
