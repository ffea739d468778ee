/**
 * The few functions the library adds on top of the modules the CLI and the page are built from: `fit` (the
 * training loop with the book's defaults filled in), `evaluate`, `predict` and a shader source for bundlers.
 * Browser-safe.
 */
import type { ImageShape, ImageSplit } from '../data/dataset.js';
import { ArgumentError, GpuError, SoftmaxError, UsageError } from '../errors.js';
import { type Gpu, type ShaderSource, watchGpu } from '../gpu/device.js';
import type { Checkpoint } from '../model/checkpoint.js';
import { TRAINING_LIMITS } from '../train/limits.js';
import { dataMismatch, type ModelOptions, type ModelSpec, pixelsOf } from '../model/model.js';
import { describeModel, MODEL_KINDS, modelDefaults, modelDefinition, modelOptimizer } from '../model/registry.js';
import { checkOptimizer, type OptimizerConfig, plainSgd } from '../optim/config.js';
import type { SequentialDecl } from '../nn/declare.js';
import { sequentialNetworkModel } from '../nn/model.js';
import { declaredSizeProblem } from './models.js';
import type { Parameters } from '../model/tensors.js';
import { type Evaluation, evaluateParameters } from '../train/evaluate.js';
import { train, type TrainHooks, type TrainOptions, type TrainResult } from '../train/loop.js';
import {
  checkBytes,
  checkCheckpoint,
  type CheckedSplit,
  checkFunction,
  checkGpu,
  checkInteger,
  checkKeys,
  checkObject,
  checkParameters,
  checkPositive,
  checkSpec,
  checkSplit,
  checkSplitFitsModel,
  definedOptions,
  describeValue,
  lostError,
  paramsMismatch,
} from './check.js';

/** A split's image shape and class names, as `FashionMNIST` has them; a split without them is taken as Fashion-MNIST's. */
export interface DatasetInfo {
  /** Channels, height and width of each image; default 1 x 28 x 28 (Fashion-MNIST's). */
  shape?: ImageShape | undefined;
  /** Class names, index = label; their count is the model's class count (default 10, Fashion-MNIST's). */
  classes?: readonly string[] | undefined;
}

/**
 * Stop training when the test accuracy has not improved for `patience` epochs (Keras' `EarlyStopping`
 * watching `val_accuracy`), and by default go back to the best epoch's model.
 */
export interface EarlyStopping {
  /** Epochs without improvement before stopping (at least 1). */
  patience: number;
  /** The least rise in test accuracy that counts as an improvement; default 0 (any rise). */
  minDelta?: number | undefined;
  /** Return the best epoch's model, test evaluation and checkpoint instead of the last one's; default true. */
  restoreBest?: boolean | undefined;
}

/**
 * A learning-rate schedule, stepped once an epoch as PyTorch's schedulers are: `step` is StepLR (the rate times
 * `gamma` every `stepSize` epochs), `cosine` is CosineAnnealingLR over the run's epochs (from the rate down towards
 * `minLr`), and a function gives epoch `epoch`'s (1-based) rate from the base rate.
 */
export type LrSchedule =
  | {
      /** StepLR. */
      type: 'step';
      /** Epochs between decays (at least 1). */
      stepSize: number;
      /** The factor of each decay, in (0, 1]; default 0.1, PyTorch's. */
      gamma?: number | undefined;
    }
  | {
      /** CosineAnnealingLR with T_max = the run's epochs. */
      type: 'cosine';
      /** The rate the curve ends at (reached after the last epoch); default 0. */
      minLr?: number | undefined;
    }
  | ((epoch: number, lr: number) => number);

/**
 * The learning rate of epoch `epoch` (1-based) of `epochs` under `schedule`, from the base rate `lr`: what
 * {@link fit} trains that epoch with.
 */
export function learningRateAt(schedule: LrSchedule, epoch: number, epochs: number, lr: number): number {
  const e = epoch - 1; // epochs completed before this one: PyTorch's scheduler.last_epoch
  const rate =
    typeof schedule === 'function'
      ? schedule(epoch, lr)
      : schedule.type === 'step'
        ? lr * (schedule.gamma ?? 0.1) ** Math.floor(e / schedule.stepSize)
        : (schedule.minLr ?? 0) + ((lr - (schedule.minLr ?? 0)) * (1 + Math.cos((Math.PI * e) / epochs))) / 2;
  return checkPositive(`the learning rate options.lrSchedule gives epoch ${epoch}`, rate);
}

/** Settings of {@link fit}; everything has the book's default, and a field set to `undefined` takes it too. */
export interface FitOptions {
  /**
   * A model kind from `MODEL_KINDS` ('scratch', 'concise', 'mlp', 'lenet', ...), a full spec, or a network written
   * in code (`nn.Sequential(nn.Conv2d(1, 8, 3, { padding: 1 }), ...)`, whose checkpoint rebuilds it); default 'scratch'.
   */
  model?: string | ModelSpec | SequentialDecl | undefined;
  /** The model's options when `model` is a kind, e.g. `{ kernels: 'separate' }`, `{ hidden: [256, 256], dropout: [0.2, 0.5] }`. */
  modelOptions?: ModelOptions | undefined;
  /** Default: the model's (`modelDefaults(spec).epochs`: 5 for softmax regression, 10 for the MLPs and LeNet). */
  epochs?: number | undefined;
  /** SGD learning rate; default: the model's for its options (`modelDefaults(spec).lr`: 0.1 for softmax regression, 0.9 for the sigmoid LeNet, 0.1 for the ReLU one). */
  lr?: number | undefined;
  /**
   * The optimizer: `optim.SGD({ lr, momentum, weightDecay })` or `optim.Adam({ lr, betas, eps, weightDecay })`
   * (PyTorch's); default plain SGD at `lr` (the book's). Its lr is the run's: give the rate there, not also as `lr`.
   */
  optimizer?: OptimizerConfig | undefined;
  /** Minibatch size; default 256. */
  batchSize?: number | undefined;
  /** Seed of the weight init and the epochs' shuffles; default 0. */
  seed?: number | undefined;
  /** Train on the first `limit` training samples only, as the CLI's `--limit`. */
  limit?: number | undefined;
  /** Steps recorded per queue submit (default: about ten submits per epoch); 1 calls `onBatch` after every step. */
  stepsPerSubmit?: number | undefined;
  /** Parameters to start from (e.g. made by hand, or `definition.init(spec, seed)` changed); default the model's `init(spec, seed)`. */
  params?: Parameters | undefined;
  /** Stop when the test accuracy stops improving; default: train every epoch. */
  earlyStopping?: EarlyStopping | undefined;
  /** A learning-rate schedule; default the same rate every epoch. */
  lrSchedule?: LrSchedule | undefined;
}

/** Where training has got to within an epoch, for {@link FitHooks.onBatch}. */
export interface BatchProgress {
  /** The epoch, 1-based. */
  epoch: number;
  /** Minibatch steps of this epoch the GPU has finished. */
  batch: number;
  /** Minibatch steps in an epoch. */
  batches: number;
}

/** `train()`'s hooks, and `onBatch`: progress within an epoch. */
export interface FitHooks extends TrainHooks {
  /**
   * Called as the GPU finishes minibatch steps: after each submit (about ten an epoch, or every step with
   * `stepsPerSubmit: 1`). Nothing is read back per step, so there is no per-batch loss: `onEpoch` has the epoch's.
   */
  onBatch?: ((progress: BatchProgress) => void) | undefined;
}

/** What {@link fit} returns: `train()`'s result, and the epoch early stopping restored. */
export interface FitResult extends TrainResult {
  /** With `earlyStopping` and `restoreBest`: the best epoch, whose model `checkpoint` and `test` are; else null. */
  bestEpoch: number | null;
}

/** {@link EarlyStopping} with its defaults filled in. */
export interface EarlyStoppingSettings {
  /** Epochs without improvement before stopping. */
  patience: number;
  /** The least rise in test accuracy that counts as an improvement. */
  minDelta: number;
  /** Whether the best epoch's model is returned. */
  restoreBest: boolean;
}

/** What {@link fit} trains with, every default filled in and every argument checked: {@link fitSettings}' result. */
export interface FitSettings {
  /** The model, made for the data's image shape and class count. */
  spec: ModelSpec;
  /** Epochs to train. */
  epochs: number;
  /** The learning rate. */
  lr: number;
  /** The optimizer (plain SGD at `lr` where options gave none); its lr is `lr`. */
  optimizer: OptimizerConfig;
  /** Minibatch size. */
  batchSize: number;
  /** Seed of the weight init and the shuffles. */
  seed: number;
  /** Training samples used (the first ones), or null for all. */
  limit: number | null;
  /** Steps recorded per queue submit, or undefined for about ten submits an epoch. */
  stepsPerSubmit: number | undefined;
  /** The parameters to start from, or undefined for the model's init. */
  params: Parameters | undefined;
  /** Early stopping with its defaults filled in, or null for none. */
  earlyStopping: EarlyStoppingSettings | null;
  /** The learning-rate schedule, or null for the same rate every epoch. */
  lrSchedule: LrSchedule | null;
}

const FIT_OPTIONS = ['model', 'modelOptions', 'epochs', 'lr', 'optimizer', 'batchSize', 'seed', 'limit', 'stepsPerSubmit', 'params', 'earlyStopping', 'lrSchedule'];

/** The splits `fit` trains and tests on. */
export interface FitData {
  /** The training split, e.g. `FashionMNIST.load({ train: true })` or your own `{ images, labels, count, shape, classes }`. */
  train: ImageSplit & DatasetInfo;
  /** The test split, of the same image shape and classes. */
  test: ImageSplit & DatasetInfo;
}

/**
 * The settings {@link fit} will train with for `data` and `options`, without a GPU: the model's spec for the
 * data's image shape and classes, the model's defaults (the same `modelDefaults` the CLI takes) where `options`
 * says nothing, and every argument checked. Throws what `fit` would, but for what depends on the adapter (a model
 * none of whose batches fits its storage bindings: `fit` checks that on the GPU it is given).
 */
export function fitSettings(data: FitData, options: FitOptions = {}): FitSettings {
  const d = checkObject('data', data, 'the splits { train, test }');
  checkKeys('data', d, ['train', 'test']);
  const o = checkObject('options', options ?? {}, 'the options object (or undefined)');
  checkKeys('options', o, FIT_OPTIONS);
  const train = checkSplit('data.train', d.train);
  const test = checkSplit('data.test', d.test);
  const same = (a: ImageShape, b: ImageShape) => a.channels === b.channels && a.height === b.height && a.width === b.width;
  if (!same(train.shape, test.shape)) {
    const said = (name: string, split: CheckedSplit, given: unknown) => `${name} ${split.shape.channels}x${split.shape.height}x${split.shape.width}${given === undefined ? " (Fashion-MNIST's: it has no shape)" : ''}`;
    throw new ArgumentError(`data.train and data.test must have images of one shape, not ${said('data.train', train, (d.train as DatasetInfo).shape)} and ${said('data.test', test, (d.test as DatasetInfo).shape)}`);
  }
  if (train.classes !== test.classes) throw new ArgumentError(`data.train and data.test must have the same classes, not ${train.classes} and ${test.classes}: give both the same classes`);
  const model = o.model ?? 'scratch';
  let spec: ModelSpec;
  if (isNetwork(model)) {
    if (o.modelOptions !== undefined) throw new ArgumentError('options.modelOptions goes with a model kind (options.model a string), not with a network: the network is the whole model');
    const sizeProblem = declaredSizeProblem(model, train.shape.height, train.shape.width);
    if (sizeProblem) throw new ArgumentError(sizeProblem);
    spec = sequentialNetworkModel.spec(train.shape, train.classes, { net: model });
  } else if (typeof model === 'string') {
    if (!MODEL_KINDS.includes(model)) throw new ArgumentError(`options.model must be one of ${MODEL_KINDS.join(', ')} or a model spec, not ${describeValue(model)}`);
    const modelOptions = o.modelOptions === undefined ? {} : checkObject('options.modelOptions', o.modelOptions, "the model's options, e.g. { hidden: [256] }");
    spec = modelDefinition(model).spec(train.shape, train.classes, definedOptions(modelOptions));
  } else {
    if (o.modelOptions !== undefined) throw new ArgumentError('options.modelOptions goes with a model kind (options.model a string), not with a spec: a spec holds its options');
    spec = checkSpec('options.model', model);
    const mismatch = dataMismatch(spec, train.shape, train.classes);
    if (mismatch) throw new ArgumentError(`options.model does not fit data.train: ${mismatch}`);
  }
  const defaults = modelDefaults(spec);
  const epochs = checkInteger('options.epochs', o.epochs ?? defaults.epochs, TRAINING_LIMITS.epochs);
  let optimizer: OptimizerConfig;
  if (o.optimizer !== undefined) {
    if (o.lr !== undefined) throw new ArgumentError('options.lr and options.optimizer both give a learning rate: give it once, in optim.SGD({ lr }) or optim.Adam({ lr })');
    optimizer = asArgumentError(() => checkOptimizer(o.optimizer, 'options.optimizer'));
  } else optimizer = plainSgd(checkPositive('options.lr', o.lr ?? defaults.lr));
  // Refused here where the model cannot train with it (the scratch models write out plain SGD).
  asArgumentError(() => modelOptimizer(spec, optimizer));
  const lr = optimizer.lr;
  const batchSize = checkInteger('options.batchSize', o.batchSize ?? defaults.batchSize, TRAINING_LIMITS.batchSize);
  const seed = checkInteger('options.seed', o.seed ?? 0, TRAINING_LIMITS.seed);
  const limit = o.limit === undefined || o.limit === null ? null : checkInteger('options.limit', o.limit, { min: 1, max: train.count });
  const stepsPerSubmit = o.stepsPerSubmit === undefined ? undefined : checkInteger('options.stepsPerSubmit', o.stepsPerSubmit, { min: 1, max: Number.MAX_SAFE_INTEGER });
  const samples = limit ?? train.count;
  if (batchSize > samples) throw new ArgumentError(`options.batchSize ${batchSize} is larger than the ${samples} training samples: pass a smaller batchSize${limit === null ? '' : ' or a larger limit'}`);
  let params: Parameters | undefined;
  if (o.params !== undefined) {
    params = checkParameters('options.params', o.params);
    const problem = paramsMismatch(spec, params);
    if (problem) throw new ArgumentError(`options.params: ${problem}`);
  }
  let earlyStopping: EarlyStoppingSettings | null = null;
  if (o.earlyStopping !== undefined) {
    const e = checkObject('options.earlyStopping', o.earlyStopping, 'an object { patience, minDelta?, restoreBest? }');
    checkKeys('options.earlyStopping', e, ['patience', 'minDelta', 'restoreBest']);
    const minDelta = e.minDelta ?? 0;
    if (typeof minDelta !== 'number' || !(minDelta >= 0 && minDelta < 1)) throw new ArgumentError(`options.earlyStopping.minDelta must be a number in [0, 1) (a rise in test accuracy), not ${describeValue(e.minDelta)}`);
    const restoreBest = e.restoreBest ?? true;
    if (typeof restoreBest !== 'boolean') throw new ArgumentError(`options.earlyStopping.restoreBest must be true or false, not ${describeValue(e.restoreBest)}`);
    earlyStopping = { patience: checkInteger('options.earlyStopping.patience', e.patience, TRAINING_LIMITS.epochs), minDelta, restoreBest };
  }
  let lrSchedule: LrSchedule | null = null;
  if (o.lrSchedule !== undefined) {
    if (typeof o.lrSchedule === 'function') lrSchedule = o.lrSchedule as LrSchedule;
    else {
      const r = checkObject('options.lrSchedule', o.lrSchedule, "{ type: 'step', stepSize, gamma? }, { type: 'cosine', minLr? } or a function (epoch, lr) => lr");
      if (r.type === 'step') {
        checkKeys('options.lrSchedule', r, ['type', 'stepSize', 'gamma']);
        checkInteger('options.lrSchedule.stepSize', r.stepSize, TRAINING_LIMITS.epochs);
        if (r.gamma !== undefined && !(typeof r.gamma === 'number' && r.gamma > 0 && r.gamma <= 1)) throw new ArgumentError(`options.lrSchedule.gamma must be a number in (0, 1], not ${describeValue(r.gamma)}`);
      } else if (r.type === 'cosine') {
        checkKeys('options.lrSchedule', r, ['type', 'minLr']);
        if (r.minLr !== undefined && !(typeof r.minLr === 'number' && r.minLr >= 0 && r.minLr < lr)) throw new ArgumentError(`options.lrSchedule.minLr must be a number from 0 to below the learning rate ${lr}, not ${describeValue(r.minLr)}`);
      } else throw new ArgumentError(`options.lrSchedule.type must be 'step' or 'cosine', not ${describeValue(r.type)}`);
      lrSchedule = r as LrSchedule;
    }
    // Every epoch's rate is one the GPU can use (a function's too, as far as it answers now).
    for (let epoch = 1; epoch <= epochs; epoch++) learningRateAt(lrSchedule, epoch, epochs, lr);
  }
  return { spec, epochs, lr, optimizer, batchSize, seed, limit, stepsPerSubmit, params, earlyStopping, lrSchedule };
}

/** Whether `model` is a network declaration (`nn.Sequential(...)`) rather than a kind or a spec. */
const isNetwork = (model: unknown): model is SequentialDecl => typeof model === 'object' && model !== null && (model as { type?: unknown }).type === 'Sequential';

/** `make()`, with a UsageError it throws (a check shared with the CLI) thrown as the library's ArgumentError. */
function asArgumentError<T>(make: () => T): T {
  try {
    return make();
  } catch (err) {
    if (err instanceof UsageError && !(err instanceof ArgumentError)) throw new ArgumentError(err.message);
    throw err;
  }
}

/** Checks the hooks object: each hook given is a function. */
function checkHooks(hooks: unknown): FitHooks {
  const h = checkObject('hooks', hooks ?? {}, 'an object of hook functions (or undefined)');
  // Every hook is a function (train()'s `signal`, an AbortSignal, is the one field that is not).
  for (const key of Object.keys(h)) if (key !== 'signal') checkFunction(`hooks.${key}`, h[key]);
  return h as FitHooks;
}

/**
 * Runs `work` on `gpu`, turning a device lost or destroyed meanwhile (which WebGPU reports as an error with
 * no message, or not at all) into one GpuError that says what happened.
 */
async function onGpu<T>(gpu: Gpu, work: () => Promise<T>): Promise<T> {
  const watch = watchGpu(gpu);
  let lost: GPUDeviceLostInfo | null = null;
  void gpu.lost.then((info) => (lost = info));
  try {
    return await watch.guard(work());
  } catch (err) {
    // A destroyed device fails WebGPU calls with an empty DOMException before its loss is reported: give the
    // report a moment to arrive, so the error says what happened.
    const info = lost ?? (err instanceof SoftmaxError ? null : await Promise.race([gpu.lost, new Promise<null>((resolve) => setTimeout(() => resolve(null), 100))]));
    if (info) throw lostError(info);
    throw err;
  } finally {
    watch.stop();
  }
}

/**
 * Trains a model on `data.train` and evaluates it on `data.test` after every epoch: `train()` with the book's
 * hyper-parameters wherever `options` says nothing ({@link fitSettings}), the model's spec made for the data's
 * image shape, and the same checks the CLI makes before any GPU work. Figures equal the CLI's `train` for the
 * same settings.
 * @param gpu from `createNodeGpu()` (Node) or `acquireGpu(navigator.gpu, shaders)` (browser)
 * @param data the splits, e.g. two `FashionMNIST` objects
 * @param options model and hyper-parameters
 * @param hooks per-epoch results, progress within an epoch, a stop check and a checkpoint sink
 * @returns the per-epoch history, the final test evaluation and the trained model as a checkpoint
 */
export async function fit(gpu: Gpu, data: FitData, options: FitOptions = {}, hooks: FitHooks = {}): Promise<FitResult> {
  const settings = fitSettings(data, options);
  const h = checkHooks(hooks);
  await checkGpu('gpu', gpu);
  const { spec, epochs, lr, optimizer, batchSize, seed, limit, stepsPerSubmit, params, earlyStopping, lrSchedule } = settings;
  // A batch whose activations pass a storage binding trains in chunks; a parameter or one image's activation cannot.
  const unfit = modelDefinition(spec.kind).problem?.(spec, batchSize, gpu.device.limits.maxStorageBufferBindingSize);
  if (unfit) throw new ArgumentError(unfit);
  const trainOptions: TrainOptions = { spec, epochs, lr, optimizer, batchSize, seed, limit, stepsPerSubmit };
  // Epoch 0 of a run: train() starts from a checkpoint's parameters, and this one has done no epochs.
  const start: Checkpoint | undefined = params && { params, meta: { model: spec, epoch: 0, config: { lr, batchSize, seed, epochs, limit }, history: [], test: null, optimizer } };
  // Early stopping, through train()'s own hooks: the best epoch's checkpoint is kept as train() hands it over.
  let best: { accuracy: number; epoch: number; checkpoint: Checkpoint | null; test: Evaluation } | null = null;
  let waited = 0;
  const trainHooks: TrainHooks = {
    ...h,
    onProgress: h.onProgress || h.onBatch ? (epoch, done, total) => {
      h.onProgress?.(epoch, done, total);
      h.onBatch?.({ epoch, batch: done, batches: total });
    } : undefined,
    onEpoch: earlyStopping ? async (record, evaluation) => {
      if (!best || evaluation.accuracy > best.accuracy + earlyStopping.minDelta) {
        best = { accuracy: evaluation.accuracy, epoch: record.epoch, checkpoint: null, test: evaluation };
        waited = 0;
      } else waited++;
      await h.onEpoch?.(record, evaluation);
    } : h.onEpoch,
    checkpoint: earlyStopping ? async (checkpoint) => {
      if (best?.epoch === checkpoint.meta.epoch) best.checkpoint = checkpoint;
      await h.checkpoint?.(checkpoint);
    } : h.checkpoint,
    shouldStop: earlyStopping ? () => waited >= earlyStopping.patience || (h.shouldStop?.() ?? false) : h.shouldStop,
  };
  const run = async (): Promise<TrainResult> => {
    if (!lrSchedule) return train(gpu, { train: data.train, test: data.test }, trainOptions, trainHooks, start);
    // A scheduled rate: one train() per epoch, each resuming the last one's checkpoint (parameters and optimizer
    // state) at its own rate. The epochs' shuffles and dropout masks depend on the epoch and seed alone, so this is
    // the run a trainer changing its rate between epochs would make.
    let last: TrainResult | null = null;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const rate = learningRateAt(lrSchedule, epoch, epochs, lr);
      const options: TrainOptions = { ...trainOptions, epochs: epoch, lr: rate, optimizer: { ...optimizer, lr: rate } };
      const hooksNow: TrainHooks = epoch === 1 ? trainHooks : { ...trainHooks, onStart: undefined };
      last = await train(gpu, { train: data.train, test: data.test }, options, hooksNow, last?.checkpoint ?? start);
      if (last.stopped) break;
    }
    return last!;
  };
  const result = await onGpu(gpu, run);
  const kept = best as { epoch: number; checkpoint: Checkpoint | null; test: Evaluation } | null;
  if (earlyStopping?.restoreBest && kept?.checkpoint && kept.epoch !== result.checkpoint.meta.epoch) {
    // The model of the best epoch, with the whole history (what came after it included) for the curves.
    const checkpoint = { params: kept.checkpoint.params, meta: { ...kept.checkpoint.meta, history: result.history } };
    return { ...result, test: kept.test, checkpoint, bestEpoch: kept.epoch };
  }
  return { ...result, bestEpoch: earlyStopping?.restoreBest && kept ? kept.epoch : null };
}

/**
 * Test loss, accuracy, and every sample's prediction and class probabilities, for a trained model on the GPU
 * (the evaluator training uses: the numbers equal the ones training printed for the same split).
 * @param gpu from `createNodeGpu()` or `acquireGpu()`, not destroyed
 * @param data a split of the model's image shape (a split without `shape` is taken to have it) and classes
 * @param model a checkpoint: `fit()`'s `result.checkpoint`, `decodeCheckpoint(bytes)` or `loadCheckpoint(path)`
 */
export async function evaluate(gpu: Gpu, data: ImageSplit & DatasetInfo, model: Checkpoint): Promise<Evaluation> {
  const checkpoint = checkCheckpoint('model', model);
  const spec = checkpoint.meta.model;
  const split = checkSplit('data', data, { shape: spec.input, shapeSaid: "(the model's: data has no shape)", classes: spec.classes });
  checkSplitFitsModel('data', split, spec, `model (${describeModel(spec)})`);
  await checkGpu('gpu', gpu);
  return onGpu(gpu, () => evaluateParameters(gpu, split, spec, checkpoint.params));
}

/** What {@link predict} gives for n images. */
export interface Predictions {
  /** [n, classes] softmax probabilities, row-major. */
  probabilities: Float32Array;
  /** [n] the most probable class of each image. */
  labels: Uint32Array;
}

/**
 * Class probabilities of `images` under a trained model, on the GPU (the model's forward, then softmax).
 * @param gpu from `createNodeGpu()` or `acquireGpu()`, not destroyed
 * @param model a checkpoint, as for {@link evaluate}
 * @param images n images of the model's shape, u8, one after another ([n * 784] for Fashion-MNIST)
 */
export async function predict(gpu: Gpu, model: Checkpoint, images: Uint8Array): Promise<Predictions> {
  const checkpoint = checkCheckpoint('model', model);
  const spec = checkpoint.meta.model;
  const bytes = checkBytes('images', images, 'pixels (0..255), image after image');
  const pixels = pixelsOf(spec.input);
  const count = bytes.length / pixels;
  if (!Number.isInteger(count) || count < 1) {
    throw new ArgumentError(`images holds ${bytes.length} bytes, not a whole number of the model's ${spec.input.channels}x${spec.input.height}x${spec.input.width} (${pixels}-pixel) images: pass n * ${pixels} bytes, n >= 1`);
  }
  await checkGpu('gpu', gpu);
  // The evaluator wants labels; only its probabilities and predictions are read.
  const evaluation = await onGpu(gpu, () => evaluateParameters(gpu, { images: bytes, labels: new Uint8Array(count), count }, spec, checkpoint.params));
  return { probabilities: evaluation.probabilities, labels: evaluation.predictions };
}

/**
 * A `ShaderSource` from the WGSL files in the package's `shaders/` folder, keyed by path (as a bundler's glob
 * import gives them, e.g. Vite's `import.meta.glob('/node_modules/webgpu-softmax/shaders/**\/*.wgsl', { query: '?raw', import: 'default', eager: true })`)
 * or by name ('softmax', 'prelude/step'). For `acquireGpu` in a browser; Node's `createNodeGpu` reads the files itself.
 */
export function shaderSourceFromFiles(files: Record<string, string>): ShaderSource {
  const given = checkObject('files', files, "an object of WGSL sources by path, e.g. Vite's import.meta.glob(..., { query: '?raw', import: 'default', eager: true })");
  const notText = Object.keys(given).find((path) => typeof given[path] !== 'string');
  if (notText !== undefined) throw new ArgumentError(`files[${JSON.stringify(notText)}] must be the WGSL source as a string, not ${describeValue(given[notText])} (with Vite: import.meta.glob's { query: '?raw', import: 'default', eager: true })`);
  const byName = new Map(Object.entries(files).map(([path, code]) => [path.replace(/^(.*\/)?shaders\//, '').replace(/\.wgsl$/, ''), code]));
  return (name) => {
    const code = byName.get(name);
    if (code === undefined) throw new GpuError(`shaders/${name}.wgsl is not among the ${byName.size} shader files given`);
    return code;
  };
}
