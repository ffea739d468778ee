/**
 * What the trainer, evaluator, checkpoints, pictures and page need of a model, and nothing more: a model is
 * described by a spec (its kind, input shape, classes and options: everything needed to rebuild it), makes its
 * own parameters as named tensors, and on the GPU owns its step (forward, loss, backward, update) and its
 * forward pass. Nothing above this interface knows a parameter's name or a kernel.
 *
 *   loop (train/loop.ts) -> trainer (train/trainer.ts) -> model.createStep().encodeStep -> kernels
 */
import type { ImageShape } from '../data/dataset.js';
import type { Gpu } from '../gpu/device.js';
import type { Tuning } from '../gpu/tuning.js';
import type { ComputePass } from '../gpu/kernel.js';
import type { GpuSplit } from '../gpu/split.js';
import type { Parameters } from './tensors.js';
import type { OptimizerConfig } from '../optim/config.js';
import type { TrainableParameter } from '../optim/gpu.js';
import type { SequentialDecl } from '../nn/declare.js';
import type { OptionSchemas } from './options.js';

/** Option values a model reads (from flags or the page), stored in checkpoints as JSON; `net` of a network written in code is its declaration. */
export type ModelOptions = Record<string, string | number | boolean | number[] | SequentialDecl>;

/** Everything needed to rebuild a model: stored in every checkpoint's metadata. */
export interface ModelSpec {
  /** The model's kind, one of MODEL_KINDS (e.g. 'mlp'). */
  kind: string;
  /** The shape of the images it reads. */
  input: ImageShape;
  /** The number of classes it tells apart. */
  classes: number;
  /** Its options, normalised by its definition's `spec` (e.g. `{ hidden: [256], dropout: [0], weightDecay: 0 }`). */
  options: ModelOptions;
}

/** A parameter tensor resident on the GPU. `buffer` may be larger than the tensor (padding); `shape` says how much is real. */
export interface GpuParameter {
  /** The parameter's name, as in checkpoints (e.g. 'W1'). */
  name: string;
  /** The tensor's shape, row-major. */
  shape: readonly number[];
  /** The f32 values on the GPU (possibly padded past the shape). */
  buffer: GPUBuffer;
}

/** What a training step reads: the resident training split, the epoch's shuffle, and the hyper-parameters. */
export interface StepContext {
  /** The training split, resident on the GPU. */
  train: GpuSplit;
  /** [count] u32: sample index at each position of the epoch */
  order: GPUBuffer;
  /** the most rows one step holds: the batch size, or where steps run in chunks, a chunk's (the last of an epoch may have fewer) */
  maxRows: number;
  /**
   * Whether each step runs as chunks of at most maxRows rows whose gradients the trainer sums before its optimizer's
   * update (train/gradient_chunks.ts): the model's step must leave every gradient to the trainer, updating nothing itself.
   */
  chunked?: boolean;
  /** The optimizer the trainer runs after each step (a model may fuse plain SGD into its own kernels instead: then it lists those tensors in no `trainables`). */
  optimizer: OptimizerConfig;
  /** The optimizer's learning rate, for the scratch models' written-out SGD. */
  lr: number;
  /** The run's seed (dropout masks are drawn from it). */
  seed: number;
  /** Kernel shapes for this adapter (src/gpu/tuning.ts), possibly overridden by a benchmark sweep: every model creates its kernels in these shapes. */
  tuning: Tuning;
}

/** A model's training step, recorded into compute passes; the epoch's loss sum and hit count stay on the GPU. */
export interface StepRecorder {
  /** How it trains, for the start line (e.g. "fused kernels"). */
  readonly summary: string;
  /** [1] f32 after endEpoch: sum of per-sample losses over the epoch */
  readonly lossSum: GPUBuffer;
  /** [1] u32 after endEpoch: correct predictions over the epoch */
  readonly correct: GPUBuffer;
  /** GPU buffer bytes the recorder allocated (activations, gradients, totals). */
  readonly bytes: number;
  /** Dispatches endEpoch records. */
  readonly epochEndDispatches: number;
  /**
   * The parameters the trainer's optimizer updates after each step, with the gradients the step leaves: every
   * parameter the step does not update itself (softmax regression's fused SGD, the scratch models' written-out SGD).
   */
  readonly trainables: readonly TrainableParameter[];
  /** Records what an epoch starts with (clearing the epoch's totals). */
  beginEpoch(encoder: GPUCommandEncoder): void;
  /** Records one minibatch step; `step` is the @group(1) slot giving this step's rows. */
  encodeStep(pass: ComputePass, step: GPUBindGroup): void;
  /** Records what ends an epoch: the totals into `lossSum` and `correct`. */
  endEpoch(encoder: GPUCommandEncoder): void;
  /** Frees its GPU buffers. */
  destroy(): void;
}

/** The model's forward pass over a resident split, in evaluation mode (no dropout): logits for each row of a step. */
export interface Forward {
  /** [maxRows, classes] f32 row-major */
  readonly logits: GPUBuffer;
  /** GPU buffer bytes this forward allocated. */
  readonly bytes: number;
  /** Records the forward of the rows `step` selects into `pass`, writing `logits`. */
  encodeForward(pass: ComputePass, step: GPUBindGroup): void;
  /** Frees its parameters and everything it made. */
  destroy(): void;
}

/** What an evaluation forward reads: a resident split and the order of its rows. */
export interface ForwardContext {
  /** The resident split the forward reads. */
  split: GpuSplit;
  /** [count] u32: which sample each position reads */
  order: GPUBuffer;
  /** The most rows one step holds (the buffers are sized for it). */
  maxRows: number;
  /** Kernel shapes for this adapter (src/gpu/tuning.ts): the training step's (StepContext.tuning) where a trainer evaluates. */
  tuning: Tuning;
}

/** A model on the GPU: its parameters as buffers, and the makers of its training step and its forward pass. */
export interface GpuModel {
  /** The model it is. */
  readonly spec: ModelSpec;
  /** Parameters in checkpoint order; read back after each epoch. */
  readonly parameters: readonly GpuParameter[];
  /** GPU buffer bytes of the parameters. */
  readonly bytes: number;
  /**
   * The most rows one pass of the network may hold, where its largest activation [rows, ...] would otherwise pass
   * a storage binding: a training step of more rows runs as chunks of at most these (train/steps.ts), an
   * evaluation in chunks of at most these; unlimited where absent.
   */
  readonly maxRowsPerChunk?: number;
  /** What running a step in chunks changes, where it changes more than the order of a sum (BatchNorm's statistics). */
  readonly chunkCaveat?: string;
  /** Builds its training step (forward, loss, backward, update) for `context`. */
  createStep(context: StepContext): Promise<StepRecorder>;
  /** Builds its evaluation forward (no dropout) for `context`. */
  createForward(context: ForwardContext): Promise<Forward>;
  /** Frees its parameters and everything it made. */
  destroy(): void;
}

/**
 * Pictures of what a model's first layer learned, without the picture knowing the layer: `count` images of
 * height x width, image i's pixel p at data[offset(i) + p * stride] (a column of W: offset i, stride N; a conv
 * filter stored row-major: offset i * h * w, stride 1).
 */
export interface Templates {
  /** The picture's title. */
  title: string;
  /** The values the images are read from (e.g. W, or conv filters). */
  data: Float32Array;
  /** Images to draw. */
  count: number;
  /** Rows of each image. */
  height: number;
  /** Columns of each image. */
  width: number;
  /** Distance in `data` between neighbouring pixels of one image. */
  stride: number;
  /** Where image `index` starts in `data`. */
  offset(index: number): number;
  /** Caption of each image: 'classes' for one per class, in class order, else the captions themselves. */
  captions: 'classes' | string[];
}

/** A kind of model: how to describe it, initialise it and build it on the GPU. One per model file, listed in `MODELS`. */
export interface ModelDefinition {
  /** The kind it is listed under in MODELS (e.g. 'lenet'). */
  kind: string;
  /** One line for --help and the page (which section of d2l it follows). */
  summary: string;
  /** The book's hyper-parameters for this model. */
  defaults: {
    /** The SGD learning rate (where `defaultLr` does not say another for the spec's options). */
    lr: number;
    /** Epochs to train. */
    epochs: number;
    /** The minibatch size (the book's chapter 7 models: 128 or 256; else 256). */
    batchSize?: number;
  };
  /** The book's learning rate for this spec's options, where it depends on them (else defaults.lr). */
  defaultLr?(spec: ModelSpec): number;
  /**
   * Tensor names an earlier build's checkpoints used, each with the name it has now (LeNet's `conv1.weight`
   * before it was a Sequential: `0.weight`); a checkpoint's tensors and optimizer state are renamed as it loads.
   */
  formerNames?: Readonly<Record<string, string>>;
  /**
   * The options `spec` reads, by name (camelCase; the CLI's --kebab-case flags), each with its kind, limits,
   * default and help (model/options.ts): the CLI's flags, the page's fields and the spec's checks are made from them.
   */
  options: OptionSchemas;
  /** Builds and checks a spec from user options (unknown or bad options are a ModelOptionError naming them). */
  spec(input: ImageShape, classes: number, options: ModelOptions): ModelSpec;
  /**
   * Why this spec cannot train with `batchSize` rows on an adapter whose storage bindings hold at most
   * `bindingLimit` bytes (default WebGPU's 128 MiB, where no adapter is at hand), or null.
   */
  problem?(spec: ModelSpec, batchSize: number, bindingLimit?: number): string | null;
  /** Why this spec cannot train with `optimizer` (the scratch models write out plain SGD), or null. */
  optimizerProblem?(spec: ModelSpec, optimizer: OptimizerConfig): string | null;
  /** The L2 weight decay this spec's options ask of the optimizer (the concise MLP's `weightDecay`), for the trainables marked `decay`. */
  weightDecay?(spec: ModelSpec): number;
  /** Fresh parameters, as the book initialises them, from a seeded generator. */
  init(spec: ModelSpec, seed: number): Parameters;
  /** The parameter names and shapes this spec has (checked against checkpoints). */
  shapes(spec: ModelSpec): Record<string, readonly number[]>;
  /** The model on the GPU, its parameters uploaded from `params`. */
  create(gpu: Gpu, spec: ModelSpec, params: Parameters): Promise<GpuModel>;
  /** One line naming the model and its options, for logs (default: the kind). */
  describe?(spec: ModelSpec): string;
  /** What weights.png shows for this model. */
  templates(spec: ModelSpec, params: Parameters): Templates;
  /** Its CPU twin (src/reference/), where it has one: the GPU trainer is checked against it, and the benchmark runs it. */
  reference?: ReferenceModel;
}

/**
 * One minibatch step of a model on the CPU: updates `params` in place, returns the batch's loss sum and hits.
 * `x`: [rows, pixels] f32 (pixels / 255), `y`: [rows] labels. `step.index`: the step's number since the run's start.
 */
export type ReferenceStep = (spec: ModelSpec, params: Parameters, x: Float32Array, y: Uint32Array, rows: number, lr: number, step: ReferenceStepInfo) => ReferenceStepResult;

/** Which step of which run a reference step is (dropout masks are drawn from it). */
export interface ReferenceStepInfo {
  /** The run's seed. */
  seed: number;
  /** The epoch, from 0. */
  epoch: number;
  /** The step's number since the run's start. */
  index: number;
}

/** What a reference step gives back. */
export interface ReferenceStepResult {
  /** The sum of the batch's per-sample losses. */
  lossSum: number;
  /** The batch's correct predictions. */
  correct: number;
}

/** Logits [rows, classes] f32 of a model in evaluation mode (no dropout), on the CPU. */
export type ReferenceForward = (spec: ModelSpec, params: Parameters, x: Float32Array, rows: number) => Float32Array;

/** The CPU twin of a whole model, composed from its kernels' twins in the order the GPU records them (plain SGD). */
export interface ReferenceModel {
  /** One training step. */
  step: ReferenceStep;
  /** The evaluation forward. */
  forward: ReferenceForward;
}

/** Pixels per image: channels x height x width. */
export const pixelsOf = (input: ImageShape): number => input.channels * input.height * input.width;

/** Why a model of `spec` cannot read images of `input` with `classes` classes, or null when it can. */
export function dataMismatch(spec: ModelSpec, input: ImageShape, classes: number): string | null {
  const a = spec.input;
  if (a.channels !== input.channels || a.height !== input.height || a.width !== input.width) {
    return `the model reads ${a.channels}x${a.height}x${a.width} images, the data has ${input.channels}x${input.height}x${input.width}`;
  }
  if (spec.classes !== classes) return `the model has ${spec.classes} classes, the data ${classes}`;
  return null;
}
