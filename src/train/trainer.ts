/**
 * The GPU training loop's orchestration. Everything is created once: the training set on the GPU, the
 * model (its parameters and its step), one @group(1) slot per step of an epoch, the evaluator.
 * An epoch is then: upload its shuffled order (one 240 KB write), record every step (the model's
 * encodeStep) into a few command buffers, submit, and read back two numbers at the end (loss sum and correct
 * count, accumulated on the GPU). Nothing is read back per step, and nothing here knows a parameter's name.
 * A step whose activations would not fit one storage binding runs as chunks of rows that do (steps.ts chunkSteps),
 * their gradients summed before the optimizer's update (gradient_chunks.ts).
 */
import { epochOrder } from '../data/minibatches.js';
import { createBuffer, readBuffer } from '../gpu/buffers.js';
import type { Gpu } from '../gpu/device.js';
import type { ComputePass } from '../gpu/kernel.js';
import { type Tuning, tuningFor } from '../gpu/tuning.js';
import { destroySplit, type GpuSplit, type ImageSplit, uploadSplit } from '../gpu/split.js';
import { type GpuModel, type ModelSpec, pixelsOf, type StepRecorder } from '../model/model.js';
import { modelDefinition, modelOptimizer } from '../model/registry.js';
import { type OptimizerConfig, plainSgd } from '../optim/config.js';
import { createOptimizer, type GpuOptimizer } from '../optim/gpu.js';
import type { Parameters } from '../model/tensors.js';
import { Evaluator, type Evaluation, type EvaluateHooks, untilAborted } from './evaluate.js';
import { DispatchLog, type Profiler } from './profile.js';
import { GradientChunks } from './gradient_chunks.js';
import { chunkRowsFor, chunksText } from '../nn/memory.js';
import { chunkSteps, epochSteps, StepSlots } from './steps.js';

/** The trainer's hyper-parameters. */
export interface TrainerConfig {
  /** The learning rate of plain SGD, the book's optimizer, where `optimizer` is not given. */
  lr: number;
  /** The optimizer that updates the model's trainable parameters after each step (default plain SGD at `lr`). */
  optimizer?: OptimizerConfig | undefined;
  /** Its state from a previous run (a checkpoint's optimizerState), to continue it exactly; default a fresh one. */
  optimizerState?: Parameters | undefined;
  /** Minibatch size. */
  batchSize: number;
  /** Seed of the shuffles (and of dropout masks). */
  seed: number;
  /**
   * Steps recorded per queue.submit. 1 is the straightforward orchestration (one submit per minibatch);
   * the default splits an epoch into about ten submits, which keeps the GPU queue full and lets a
   * progress bar follow the GPU's actual progress.
   */
  stepsPerSubmit?: number | undefined;
  /** Kernel shapes to use instead of the adapter kind's (src/gpu/tuning.ts); only `npm run bench -- --sweep` sets them. */
  tuning?: Partial<Tuning> | undefined;
  /**
   * At most this many rows per chunk of a step, for a model that can run its steps in chunks (one declared as
   * layers): fewer than its storage bindings allow (GpuModel.maxRowsPerChunk), to see chunking on any adapter.
   */
  chunkRows?: number | undefined;
}

/** One epoch's training figures, read back once at its end. */
export interface EpochMetrics {
  /** 1-based, as printed */
  epoch: number;
  /** mean cross-entropy over the epoch's samples, with the weights of each step */
  loss: number;
  /** accuracy accumulated during the epoch, as d2l's train_epoch_ch3 reports it */
  trainAccuracy: number;
  /** The epoch's GPU training time in seconds. */
  seconds: number;
}

/** Called as an epoch's steps complete on the GPU. */
export type Progress = (stepsDone: number, steps: number) => void;

/** With an abort signal, submits of an epoch queued on the GPU at once: a stop leaves at most these to finish. */
const ABORTABLE_SUBMITS_IN_FLIGHT = 2;

/** A model, its training split and its step on the GPU, built once; `trainEpoch` runs one epoch, `evaluate` the test split. */
export class Trainer {
  private constructor(
    /** The GPU it runs on. */
    readonly gpu: Gpu,
    /** Its hyper-parameters, steps per submit filled in. */
    readonly config: TrainerConfig & {
      /** Steps recorded per queue submit. */
      stepsPerSubmit: number;
    },
    /** The model on the GPU. */
    readonly model: GpuModel,
    /** The training split, resident on the GPU. */
    readonly train: GpuSplit,
    /** The test split, resident on the GPU, or null where none was given. */
    readonly test: GpuSplit | null,
    private readonly recorder: StepRecorder,
    private readonly optimizer: GpuOptimizer,
    private readonly order: GPUBuffer,
    /** One slot per chunk of each step (one per step where steps run whole). */
    private readonly slots: StepSlots,
    /** Step i's chunks are slots first[i] .. first[i + 1] - 1. */
    private readonly first: readonly number[],
    /** The sum of the chunks' gradients, where steps run in chunks. */
    private readonly gradientChunks: GradientChunks | null,
    /** How steps run in chunks, for the start line, or '' where they run whole. */
    private readonly chunking: string,
    private readonly evaluator: Evaluator | null,
  ) {}

  /** Uploads the data and the model, builds the step, the slots and the evaluator. */
  static async create(gpu: Gpu, data: { train: ImageSplit; test?: ImageSplit }, spec: ModelSpec, params: Parameters, config: TrainerConfig): Promise<Trainer> {
    const { device } = gpu;
    const pixels = pixelsOf(spec.input);
    const steps = epochSteps(data.train.count, config.batchSize);
    const full: TrainerConfig & { stepsPerSubmit: number } = { ...config, stepsPerSubmit: Math.max(1, Math.floor(config.stepsPerSubmit ?? Math.ceil(steps.length / 10))) };
    const train = uploadSplit(device, data.train, pixels, 'train', 'train on fewer samples with --limit N');
    const test = data.test ? uploadSplit(device, data.test, pixels, 'test') : null;
    const order = createBuffer(device, 'order', data.train.count * 4); // [count] u32: sample index at each position
    const model = await modelDefinition(spec.kind).create(gpu, spec, params);
    const batchRows = Math.min(config.batchSize, data.train.count);
    // A step whose activations would not fit a storage binding runs as chunks that do (gradient_chunks.ts).
    const most = model.maxRowsPerChunk === undefined ? batchRows : Math.max(1, Math.min(model.maxRowsPerChunk, config.chunkRows ?? Infinity));
    const maxRows = chunkRowsFor(batchRows, most);
    const chunked = maxRows < batchRows;
    // The run's optimizer with what the model's options add (the MLP's weight decay); refused where the model cannot train with it.
    const optimizerConfig = modelOptimizer(spec, config.optimizer ?? plainSgd(config.lr));
    const tuning: Tuning = { ...tuningFor(gpu.adapterInfo), ...config.tuning };
    const recorder = await model.createStep({ train, order, maxRows, chunked, optimizer: optimizerConfig, lr: optimizerConfig.lr, seed: config.seed, tuning });
    const optimizer = await createOptimizer(gpu, optimizerConfig, recorder.trainables, config.optimizerState);
    const { chunks, first } = chunkSteps(steps, maxRows);
    const slots = StepSlots.create(device, chunks);
    const gradientChunks = chunked ? await GradientChunks.create(gpu, recorder.trainables) : null;
    const chunking = chunked ? `; each batch of ${batchRows} in ${chunksText(batchRows, maxRows, model.chunkCaveat)}` : '';
    const evaluator = test ? await Evaluator.create(gpu, test, model, undefined, tuning) : null;
    return new Trainer(gpu, full, model, train, test, recorder, optimizer, order, slots, first, gradientChunks, chunking, evaluator);
  }

  /** Minibatch steps an epoch. */
  get stepsPerEpoch(): number {
    return this.first.length - 1;
  }

  /** How the model trains (e.g. "fused kernels", and the chunks of a step where it runs in chunks), for the start line. */
  get summary(): string {
    return this.recorder.summary + this.chunking;
  }

  /**
   * Trains one epoch (0-based `epoch` picks the shuffle) and returns its metrics. With a profiler, every
   * dispatch runs in its own timed pass (slower, same results) and the profiler collects per-kernel times.
   * With a signal, the epoch's submits are queued a few at a time and an abort between them rejects with its reason.
   */
  async trainEpoch(epoch: number, onProgress?: Progress, profiler?: Profiler, signal?: AbortSignal): Promise<EpochMetrics> {
    const { device } = this.gpu;
    const start = performance.now();
    device.queue.writeBuffer(this.order, 0, epochOrder(this.train.count, this.config.seed, epoch));
    this.slots.setEpoch(device.queue, epoch);
    const done = profiler ? await this.submitProfiled(profiler) : await this.submitEpoch(epoch, onProgress, signal);
    const [lossSum, correct] = await untilAborted(Promise.all([readBuffer(device, this.recorder.lossSum, 4), readBuffer(device, this.recorder.correct, 4), ...done]), signal);
    const samples = this.train.count;
    return {
      epoch: epoch + 1,
      loss: new Float32Array(lossSum as ArrayBuffer)[0] / samples,
      trainAccuracy: new Uint32Array(correct as ArrayBuffer)[0] / samples,
      seconds: (performance.now() - start) / 1000,
    };
  }

  /**
   * Records the epoch's steps into ~stepsPerSubmit-sized command buffers and submits them all at once; with a
   * signal, no more than ABORTABLE_SUBMITS_IN_FLIGHT at a time, checking it before each.
   */
  private async submitEpoch(epoch: number, onProgress?: Progress, signal?: AbortSignal): Promise<Array<Promise<void>>> {
    const { device } = this.gpu;
    const steps = this.stepsPerEpoch;
    const done: Array<Promise<void>> = [];
    for (let first = 0; first < steps; first += this.config.stepsPerSubmit) {
      if (signal) {
        if (done.length >= ABORTABLE_SUBMITS_IN_FLIGHT) await untilAborted(done[done.length - ABORTABLE_SUBMITS_IN_FLIGHT], signal);
        signal.throwIfAborted();
      }
      const last = Math.min(steps, first + this.config.stepsPerSubmit);
      const encoder = device.createCommandEncoder({ label: `epoch ${epoch + 1} steps ${first}..${last - 1}` });
      if (first === 0) this.recorder.beginEpoch(encoder);
      const pass = encoder.beginComputePass();
      for (let s = first; s < last; s++) this.encodeStep(pass, s);
      pass.end();
      if (last === steps) this.recorder.endEpoch(encoder);
      device.queue.submit([encoder.finish()]);
      // Resolves when the GPU has finished this chunk, so the bar follows the GPU, not the CPU's recording.
      if (onProgress || signal) {
        const chunk = device.queue.onSubmittedWorkDone().then(() => onProgress?.(last, steps));
        chunk.catch(() => undefined); // after a stop nobody awaits it (a lost device's failure is seen elsewhere)
        done.push(chunk);
      }
    }
    return done;
  }

  /**
   * Training step `s`: the model's (forward, loss, backward) on each of its chunks, their gradients summed where
   * there are several, then the optimizer's update of its trainables.
   */
  private encodeStep(pass: ComputePass, s: number): void {
    const [begin, end] = [this.first[s], this.first[s + 1]];
    for (let c = begin; c < end; c++) {
      this.recorder.encodeStep(pass, this.slots.groups[c]);
      this.gradientChunks?.encodeAfterChunk(pass, c - begin, end - begin);
    }
    this.optimizer.encodeStep(pass, this.slots.groups[end - 1]);
  }

  /** The same epoch with every dispatch in its own timestamped pass. */
  private async submitProfiled(profiler: Profiler): Promise<Array<Promise<void>>> {
    const { device } = this.gpu;
    const begin = device.createCommandEncoder({ label: 'epoch begin' });
    this.recorder.beginEpoch(begin);
    device.queue.submit([begin.finish()]);
    const log = new DispatchLog();
    for (let s = 0; s < this.stepsPerEpoch; s++) this.encodeStep(log, s);
    await profiler.replay(log, (encoder) => device.queue.submit([encoder.finish()]));
    const end = device.createCommandEncoder({ label: 'epoch end' });
    this.recorder.endEpoch(end);
    device.queue.submit([end.finish()]);
    return [];
  }

  /** Loss, accuracy, predictions and probabilities on the test split, in one submit (one per chunk with hooks). */
  async evaluate(hooks?: EvaluateHooks): Promise<Evaluation> {
    if (!this.evaluator) throw new Error('Trainer was created without a test split');
    return this.evaluator.evaluate(hooks);
  }

  /** The model's parameters as named tensors, read back from the GPU. */
  async readParameters(): Promise<Parameters> {
    const { device } = this.gpu;
    const read = await Promise.all(this.model.parameters.map((p) => readBuffer(device, p.buffer, p.shape.reduce((a, b) => a * b, 1) * 4)));
    return Object.fromEntries(this.model.parameters.map((p, i) => [p.name, { shape: [...p.shape], data: new Float32Array(read[i]) }]));
  }

  /** The optimizer's state as named tensors (empty for plain SGD), read back from the GPU: what a checkpoint keeps to resume exactly. */
  readOptimizerState(): Promise<Parameters> {
    return this.optimizer.readState();
  }

  /** The optimizer the trainer runs (with the model's weight decay, where its options give one). */
  get optimizerConfig(): OptimizerConfig {
    return this.optimizer.config;
  }

  /** Dispatches one epoch records (each step's, model and optimizer, plus the model's epoch-end ones). */
  dispatchesPerEpoch(): number {
    const log = new DispatchLog();
    let total = this.recorder.epochEndDispatches;
    // Steps of as many chunks record alike: one of each count (the last step may have fewer chunks).
    const counted = new Map<number, number>();
    for (let s = 0; s < this.stepsPerEpoch; s++) {
      const chunks = this.first[s + 1] - this.first[s];
      let n = counted.get(chunks);
      if (n === undefined) {
        const before = log.dispatches.length;
        this.encodeStep(log, s);
        n = log.dispatches.length - before;
        counted.set(chunks, n);
      }
      total += n;
    }
    return total;
  }

  /** GPU memory this trainer holds, in bytes (dataset included). */
  gpuBytes(): number {
    return (
      this.train.bytes +
      (this.test?.bytes ?? 0) +
      this.model.bytes +
      this.recorder.bytes +
      this.optimizer.bytes +
      (this.gradientChunks?.bytes ?? 0) +
      (this.evaluator?.bytes ?? 0) +
      this.order.size +
      this.slots.buffer.size
    );
  }

  /** Frees everything it made on the GPU (the data, the model, the step and the evaluator). */
  destroy(): void {
    this.recorder.destroy();
    this.optimizer.destroy();
    this.gradientChunks?.destroy();
    this.evaluator?.destroy();
    this.model.destroy();
    this.slots.destroy();
    this.order.destroy();
    destroySplit(this.train);
    if (this.test) destroySplit(this.test);
  }
}
