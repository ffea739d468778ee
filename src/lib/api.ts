/**
 * The few functions the library adds on top of the modules the CLI and the page are built from: `fit` (the
 * training loop with the book's defaults filled in), `evaluate`, `predict` and a shader source for bundlers.
 * Browser-safe.
 */
import { FASHION_MNIST_CLASSES, FASHION_MNIST_SHAPE, type ImageShape, type ImageSplit } from '../data/dataset.js';
import { GpuError, UsageError } from '../errors.js';
import type { Gpu, ShaderSource } from '../gpu/device.js';
import type { Checkpoint } from '../model/checkpoint.js';
import { dataMismatch, type ModelOptions, type ModelSpec, pixelsOf } from '../model/model.js';
import { modelDefinition } from '../model/registry.js';
import { elementsOf, type Parameters } from '../model/tensors.js';
import { type Evaluation, evaluateParameters } from '../train/evaluate.js';
import { TRAINING_LIMITS } from '../train/limits.js';
import { train, type TrainHooks, type TrainOptions, type TrainResult } from '../train/loop.js';

/** A split's image shape and class names, as `FashionMNIST` has them; a split without them is taken as Fashion-MNIST's. */
export interface DatasetInfo {
  shape?: ImageShape;
  classes?: readonly string[];
}

/** Settings of {@link fit}; everything has the book's default. */
export interface FitOptions {
  /** A model kind from `MODEL_KINDS` ('scratch', 'concise', ...) or a full spec; default 'scratch'. */
  model?: string | ModelSpec;
  /** The model's options when `model` is a kind, e.g. `{ kernels: 'separate' }`. */
  modelOptions?: ModelOptions;
  /** Default: the model's (5 for softmax regression). */
  epochs?: number;
  /** SGD learning rate; default: the model's (0.1 for softmax regression). */
  lr?: number;
  /** Default 256. */
  batchSize?: number;
  /** Seed of the weight init and the epochs' shuffles; default 0. */
  seed?: number;
  /** Train on the first `limit` training samples only, as the CLI's `--limit`. */
  limit?: number;
  /** Steps recorded per queue submit (default: about ten submits per epoch). */
  stepsPerSubmit?: number;
  /** Parameters to start from (e.g. made by hand, or `definition.init(spec, seed)` changed); default the model's `init(spec, seed)`. */
  params?: Parameters;
}

function checkInteger(name: string, value: number, range: { min: number; max: number }): void {
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new UsageError(`${name} must be an integer in ${range.min}..${range.max}, not ${value}`);
  }
}

/**
 * Trains a model on `data.train` and evaluates it on `data.test` after every epoch: `train()` with the book's
 * hyper-parameters wherever `options` says nothing, the model's spec made for the data's image shape, and the
 * same checks the CLI makes before any GPU work. Figures equal the CLI's `train` for the same settings.
 * @param gpu from `createNodeGpu()` (Node) or `acquireGpu(navigator.gpu, shaders)` (browser)
 * @param data the splits, e.g. two `FashionMNIST` objects
 * @param options model and hyper-parameters
 * @param hooks per-epoch results, per-step progress, a stop check and a checkpoint sink
 * @returns the per-epoch history, the final test evaluation and the trained model as a checkpoint
 */
export async function fit(gpu: Gpu, data: { train: ImageSplit & DatasetInfo; test: ImageSplit & DatasetInfo }, options: FitOptions = {}, hooks: TrainHooks = {}): Promise<TrainResult> {
  const input = data.train.shape ?? FASHION_MNIST_SHAPE;
  const classes = data.train.classes?.length ?? FASHION_MNIST_CLASSES;
  const model = options.model ?? 'scratch';
  if (typeof model !== 'string' && options.modelOptions) throw new UsageError('give modelOptions with a model kind, not with a spec (a spec holds its options)');
  const spec = typeof model === 'string' ? modelDefinition(model).spec(input, classes, options.modelOptions ?? {}) : model;
  const mismatch = dataMismatch(spec, input, classes);
  if (mismatch) throw new UsageError(mismatch);
  const definition = modelDefinition(spec.kind);
  const epochs = options.epochs ?? definition.defaults.epochs;
  const lr = options.lr ?? definition.defaults.lr;
  const batchSize = options.batchSize ?? 256;
  const seed = options.seed ?? 0;
  checkInteger('epochs', epochs, TRAINING_LIMITS.epochs);
  checkInteger('batchSize', batchSize, TRAINING_LIMITS.batchSize);
  checkInteger('seed', seed, TRAINING_LIMITS.seed);
  if (!(lr > 0)) throw new UsageError(`lr must be a positive number, not ${lr}`);
  const limit = options.limit ?? null;
  if (limit !== null) checkInteger('limit', limit, { min: 1, max: data.train.count });
  const pixels = pixelsOf(input);
  const trainSplit: ImageSplit = limit === null ? data.train : { images: data.train.images.subarray(0, limit * pixels), labels: data.train.labels.subarray(0, limit), count: limit };
  if (batchSize > trainSplit.count) throw new UsageError(`batchSize ${batchSize} is larger than the ${trainSplit.count} training samples`);
  const unfit = definition.problem?.(spec, batchSize);
  if (unfit) throw new UsageError(unfit);
  const trainOptions: TrainOptions = { spec, epochs, lr, batchSize, seed, limit, stepsPerSubmit: options.stepsPerSubmit };
  let start: Checkpoint | undefined;
  if (options.params) {
    const want = definition.shapes(spec);
    const have = options.params;
    const wrong = [...new Set([...Object.keys(want), ...Object.keys(have)])].filter(
      (name) => !want[name] || !have[name] || want[name].join() !== have[name].shape.join() || have[name].data.length !== elementsOf(want[name]),
    );
    if (wrong.length > 0) throw new UsageError(`params: ${wrong.join(', ')} ${wrong.length === 1 ? 'does' : 'do'} not match model ${spec.kind} (${Object.entries(want).map(([n, s]) => `${n}: [${s.join(', ')}]`).join(', ')})`);
    // Epoch 0 of a run: train() starts from a checkpoint's parameters, and this one has done no epochs.
    start = { params: have, meta: { model: spec, epoch: 0, config: { lr, batchSize, seed, epochs, limit }, history: [], test: null } };
  }
  return train(gpu, { train: trainSplit, test: data.test }, trainOptions, hooks, start);
}

/**
 * Test loss, accuracy, and every sample's prediction and class probabilities, for a trained model on the GPU
 * (the evaluator training uses: the numbers equal the ones training printed for the same split).
 * @param model a checkpoint: `fit()`'s `result.checkpoint`, `decodeCheckpoint(bytes)` or `loadCheckpoint(path)`
 */
export function evaluate(gpu: Gpu, data: ImageSplit, model: Checkpoint): Promise<Evaluation> {
  return evaluateParameters(gpu, data, model.meta.model, model.params);
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
 * @param images n images of the model's shape, u8, one after another ([n * 784] for Fashion-MNIST)
 */
export async function predict(gpu: Gpu, model: Checkpoint, images: Uint8Array): Promise<Predictions> {
  const pixels = pixelsOf(model.meta.model.input);
  const count = images.length / pixels;
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`predict: ${images.length} bytes are not a whole number of ${pixels}-pixel images`);
  // The evaluator wants labels; only its probabilities and predictions are read.
  const evaluation = await evaluateParameters(gpu, { images, labels: new Uint8Array(count), count }, model.meta.model, model.params);
  return { probabilities: evaluation.probabilities, labels: evaluation.predictions };
}

/**
 * A `ShaderSource` from the WGSL files in the package's `shaders/` folder, keyed by path (as a bundler's glob
 * import gives them, e.g. Vite's `import.meta.glob('/node_modules/webgpu-softmax/shaders/**\/*.wgsl', { query: '?raw', import: 'default', eager: true })`)
 * or by name ('softmax', 'prelude/step'). For `acquireGpu` in a browser; Node's `createNodeGpu` reads the files itself.
 */
export function shaderSourceFromFiles(files: Record<string, string>): ShaderSource {
  const byName = new Map(Object.entries(files).map(([path, code]) => [path.replace(/^(.*\/)?shaders\//, '').replace(/\.wgsl$/, ''), code]));
  return (name) => {
    const code = byName.get(name);
    if (code === undefined) throw new GpuError(`shaders/${name}.wgsl is not among the ${byName.size} shader files given`);
    return code;
  };
}
