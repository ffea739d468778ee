/**
 * The GPU training loop's orchestration. Everything is created once: the training set on the GPU, the
 * model (its parameters and its step), one @group(1) slot per step of an epoch, the evaluator.
 * An epoch is then: upload its shuffled order (one 240 KB write), record every step (the model's
 * encodeStep) into a few command buffers, submit, and read back two numbers at the end (loss sum and correct
 * count, accumulated on the GPU). Nothing is read back per step, and nothing here knows a parameter's name.
 */
import { epochOrder } from '../data/minibatches.js';
import { createBuffer, readBuffer } from '../gpu/buffers.js';
import type { Gpu } from '../gpu/device.js';
import { type Tuning, tuningFor } from '../gpu/tuning.js';
import { destroySplit, type GpuSplit, type ImageSplit, uploadSplit } from '../gpu/split.js';
import { type GpuModel, type ModelSpec, pixelsOf, type StepRecorder } from '../model/model.js';
import { modelDefinition } from '../model/registry.js';
import type { Parameters } from '../model/tensors.js';
import { Evaluator, type Evaluation } from './evaluate.js';
import { DispatchLog, type Profiler } from './profile.js';
import { epochSteps, StepSlots } from './steps.js';

/** The trainer's hyper-parameters. */
export interface TrainerConfig {
  lr: number;
  batchSize: number;
  seed: number;
  /**
   * Steps recorded per queue.submit. 1 is the straightforward orchestration (one submit per minibatch);
   * the default splits an epoch into about ten submits, which keeps the GPU queue full and lets a
   * progress bar follow the GPU's actual progress.
   */
  stepsPerSubmit?: number;
  /** Kernel shapes to use instead of the adapter kind's (src/gpu/tuning.ts); only `npm run bench -- --sweep` sets them. */
  tuning?: Partial<Tuning>;
}

/** One epoch's training figures, read back once at its end. */
export interface EpochMetrics {
  epoch: number; // 1-based, as printed
  loss: number; // mean cross-entropy over the epoch's samples, with the weights of each step
  trainAccuracy: number; // accuracy accumulated during the epoch, as d2l's train_epoch_ch3 reports it
  seconds: number;
}

/** Called as an epoch's steps complete on the GPU. */
export type Progress = (stepsDone: number, steps: number) => void;

/** A model, its training split and its step on the GPU, built once; `trainEpoch` runs one epoch, `evaluate` the test split. */
export class Trainer {
  private constructor(
    readonly gpu: Gpu,
    readonly config: TrainerConfig & { stepsPerSubmit: number },
    readonly model: GpuModel,
    readonly train: GpuSplit,
    readonly test: GpuSplit | null,
    private readonly recorder: StepRecorder,
    private readonly order: GPUBuffer,
    private readonly slots: StepSlots,
    private readonly evaluator: Evaluator | null,
  ) {}

  static async create(gpu: Gpu, data: { train: ImageSplit; test?: ImageSplit }, spec: ModelSpec, params: Parameters, config: TrainerConfig): Promise<Trainer> {
    const { device } = gpu;
    const pixels = pixelsOf(spec.input);
    const steps = epochSteps(data.train.count, config.batchSize);
    const full: TrainerConfig & { stepsPerSubmit: number } = { ...config, stepsPerSubmit: Math.max(1, Math.floor(config.stepsPerSubmit ?? Math.ceil(steps.length / 10))) };
    const train = uploadSplit(device, data.train, pixels, 'train', 'train on fewer samples with --limit N');
    const test = data.test ? uploadSplit(device, data.test, pixels, 'test') : null;
    const order = createBuffer(device, 'order', data.train.count * 4); // [count] u32: sample index at each position
    const model = await modelDefinition(spec.kind).create(gpu, spec, params);
    const maxRows = Math.min(config.batchSize, data.train.count);
    const recorder = await model.createStep({ train, order, maxRows, lr: config.lr, seed: config.seed, tuning: { ...tuningFor(gpu.adapterInfo), ...config.tuning } });
    const slots = StepSlots.create(device, steps);
    const evaluator = test ? await Evaluator.create(gpu, test, model) : null;
    return new Trainer(gpu, full, model, train, test, recorder, order, slots, evaluator);
  }

  get stepsPerEpoch(): number {
    return this.slots.ranges.length;
  }

  /** How the model trains (e.g. "fused kernels"), for the start line. */
  get summary(): string {
    return this.recorder.summary;
  }

  /**
   * Trains one epoch (0-based `epoch` picks the shuffle) and returns its metrics. With a profiler, every
   * dispatch runs in its own timed pass (slower, same results) and the profiler collects per-kernel times.
   */
  async trainEpoch(epoch: number, onProgress?: Progress, profiler?: Profiler): Promise<EpochMetrics> {
    const { device } = this.gpu;
    const start = performance.now();
    device.queue.writeBuffer(this.order, 0, epochOrder(this.train.count, this.config.seed, epoch));
    this.slots.setEpoch(device.queue, epoch);
    const done = profiler ? await this.submitProfiled(profiler) : this.submitEpoch(epoch, onProgress);
    const [lossSum, correct] = await Promise.all([readBuffer(device, this.recorder.lossSum, 4), readBuffer(device, this.recorder.correct, 4), ...done]);
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
      for (let s = first; s < last; s++) this.recorder.encodeStep(pass, this.slots.groups[s]);
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
    for (const step of this.slots.groups) this.recorder.encodeStep(log, step);
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

  /** The model's parameters as named tensors, read back from the GPU. */
  async readParameters(): Promise<Parameters> {
    const { device } = this.gpu;
    const read = await Promise.all(this.model.parameters.map((p) => readBuffer(device, p.buffer, p.shape.reduce((a, b) => a * b, 1) * 4)));
    return Object.fromEntries(this.model.parameters.map((p, i) => [p.name, { shape: [...p.shape], data: new Float32Array(read[i]) }]));
  }

  /** Dispatches one epoch records (the model's per-step count times the steps, plus its epoch-end ones). */
  dispatchesPerEpoch(): number {
    const log = new DispatchLog();
    this.recorder.encodeStep(log, this.slots.groups[0]);
    return log.dispatches.length * this.stepsPerEpoch + this.recorder.epochEndDispatches;
  }

  /** GPU memory this trainer holds, in bytes (dataset included). */
  gpuBytes(): number {
    return this.train.bytes + (this.test?.bytes ?? 0) + this.model.bytes + this.recorder.bytes + (this.evaluator?.bytes ?? 0) + this.order.size + this.slots.buffer.size;
  }

  destroy(): void {
    this.recorder.destroy();
    this.evaluator?.destroy();
    this.model.destroy();
    this.slots.destroy();
    this.order.destroy();
    destroySplit(this.train);
    if (this.test) destroySplit(this.test);
  }
}
