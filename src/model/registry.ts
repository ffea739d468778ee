/**
 * The models this build can train, by kind. Adding a model: its model file (a ModelDefinition: its options as
 * schemas, model/options.ts, and its CPU twin as `reference`) and its new kernels, then one line here. The CLI's
 * flags, the page's fields, checkpoints and the benchmark take the list from here.
 */
import { UsageError } from '../errors.js';
import { conciseModel } from './concise.js';
import type { OptimizerConfig } from '../optim/config.js';
import { dataMismatch, type ModelDefinition, type ModelOptions, type ModelSpec } from './model.js';
import { CheckpointError } from '../errors.js';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_SHAPE, type ImageShape } from '../data/dataset.js';
import { lenetModel } from './lenet.js';
import { scratchModel } from './scratch.js';
import { mlpConciseModel } from './mlp_concise.js';
import { mlpScratchModel } from './mlp_scratch.js';
import { sequentialNetworkModel } from '../nn/model.js';
import { CHAPTER7_MODELS } from '../nn/models/index.js';

/** Every model this build can train. */
export const MODELS: readonly ModelDefinition[] = [scratchModel, conciseModel, mlpScratchModel, mlpConciseModel, lenetModel, ...CHAPTER7_MODELS];

/** The kinds of `MODELS`, e.g. 'scratch' and 'concise'. */
export const MODEL_KINDS: readonly string[] = MODELS.map((m) => m.kind);

/**
 * Every kind a checkpoint may hold: the named models and `sequential`, a network written in code (its declaration
 * is its spec's one option, so it is rebuilt from the file alone; it has no name to pick on the command line).
 */
export const KNOWN_KINDS: readonly string[] = [...MODEL_KINDS, sequentialNetworkModel.kind];

/** The definition of model `kind`; a UsageError naming the known kinds when there is none. */
export function modelDefinition(kind: string): ModelDefinition {
  const def = MODELS.find((m) => m.kind === kind) ?? (kind === sequentialNetworkModel.kind ? sequentialNetworkModel : undefined);
  if (!def) throw new UsageError(`unknown model "${kind}" (this build has ${MODEL_KINDS.join(', ')}, and sequential for networks written in code)`);
  return def;
}

/** The hyper-parameters a run of a model takes where its caller gives none. */
export interface ModelDefaults {
  /** SGD learning rate. */
  lr: number;
  /** Epochs to train. */
  epochs: number;
  /** Minibatch size (the book's: 256, or 128 for AlexNet, VGG, NiN and GoogLeNet). */
  batchSize: number;
}

/**
 * The book's hyper-parameters for `spec`: the learning rate for its options where the model's depends on them
 * (`defaultLr`, e.g. LeNet with ReLU: 0.1 instead of the sigmoid LeNet's 0.9), else its `defaults`. The CLI,
 * the page and `fit()` all take them from here.
 */
export function modelDefaults(spec: ModelSpec): ModelDefaults {
  const definition = modelDefinition(spec.kind);
  return { lr: definition.defaultLr?.(spec) ?? definition.defaults.lr, epochs: definition.defaults.epochs, batchSize: definition.defaults.batchSize ?? 256 };
}

/**
 * The optimizer a run of `spec` trains with: `optimizer` with the weight decay the model's options ask for (the
 * concise MLP's `weightDecay`, on its weights) added in. A UsageError where the model cannot train with it (the
 * scratch models write out plain SGD) or where both give a weight decay. The trainer, the CLI and fit() use it.
 */
export function modelOptimizer(spec: ModelSpec, optimizer: OptimizerConfig): OptimizerConfig {
  const definition = modelDefinition(spec.kind);
  const decay = definition.weightDecay?.(spec) ?? 0;
  if (decay > 0 && optimizer.weightDecay > 0) {
    throw new UsageError(`model ${spec.kind} has weight decay ${decay} among its options and the optimizer has ${optimizer.weightDecay}: give it once`);
  }
  const config = decay > 0 ? { ...optimizer, weightDecay: decay } : optimizer;
  const problem = definition.optimizerProblem?.(spec, config);
  if (problem) throw new UsageError(problem);
  return config;
}

/** The model and its options in a few words, for the lines the CLI and the page print. */
export function describeModel(spec: ModelSpec): string {
  return modelDefinition(spec.kind).describe?.(spec) ?? spec.kind;
}

/** Refuses a checkpoint's model that cannot read this data (`name`: the checkpoint, for the message). */
export function checkModelFitsData(name: string, spec: ModelSpec, input: ImageShape, classes: number): void {
  const problem = dataMismatch(spec, input, classes);
  if (problem) throw new CheckpointError(`${name}: ${problem}`);
}

/** The spec of model `kind` for Fashion-MNIST (1x28x28 images, 10 classes) with `options`. */
export function fashionMnistSpec(kind: string, options: ModelOptions = {}): ModelSpec {
  return modelDefinition(kind).spec(FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES, options);
}
