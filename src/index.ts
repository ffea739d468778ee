/// <reference types="@webgpu/types" preserve="true" />
/**
 * webgpu-softmax: Fashion-MNIST classifiers (d2l's softmax regression, from scratch and concise) trained by
 * hand-written WGSL compute shaders through WebGPU.
 *
 * This entry is browser-safe: no Node API and no dawn.node. It holds the models, the layer API, the training loop
 * and the trainer, the evaluator, checkpoints as bytes, the pictures as RGBA images and the dataset decoded from
 * bytes. `webgpu-softmax/node` adds what needs Node: the dawn.node GPU, the dataset on disk and its download,
 * checkpoint and PNG files.
 *
 * What is stable in 0.x, what is experimental and what is internal: the README's "Use it as a library".
 *
 * @packageDocumentation
 * @module webgpu-softmax
 */

// The library's own functions
export {
  type BatchProgress,
  type DatasetInfo,
  type EarlyStopping,
  type EarlyStoppingSettings,
  evaluate,
  fit,
  type FitData,
  type FitHooks,
  type FitOptions,
  type FitResult,
  type FitSettings,
  fitSettings,
  learningRateAt,
  type LrSchedule,
  predict,
  type Predictions,
  shaderSourceFromFiles,
} from './lib/api.js';
export { FashionMNIST, type FashionMNISTSplits, type Sample } from './lib/dataset.js';

// Errors
export {
  ArgumentError,
  CheckpointError,
  DataError,
  DivergenceError,
  DownloadError,
  GpuError,
  ModelOptionError,
  optionRef,
  OutputError,
  renameOptions,
  SoftmaxError,
  UsageError,
} from './errors.js';

// The dataset from bytes
export {
  decodeFashionMnistFiles,
  type DecodeOptions,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DIGESTS,
  FASHION_MNIST_FILES,
  FASHION_MNIST_SHAPE,
  type FashionMnist,
  type FashionMnistFileKey,
  type FashionMnistSplit,
  type FileDigest,
  type Gunzip,
  gunzipWeb,
  type ImageShape,
  type ImageSplit,
  limitSplit,
} from './data/dataset.js';
export { type IdxArray, parseIdx, type ParseIdxOptions } from './data/idx.js';
export { CLASS_NAMES, type ClassName, textLabels } from './data/labels.js';

// The GPU (a browser's navigator.gpu; in Node use createNodeGpu from 'webgpu-softmax/node')
export { type AcquireOptions, acquireGpu, type AdapterSummary, describeAdapter, type Gpu, type ShaderSource } from './gpu/device.js';
export type { ComputePass } from './gpu/kernel.js';
export type { GpuSplit } from './gpu/split.js';
export type { ConvForwardTile, ConvTiles, FusedShapes, MlpTiles, RegisterTile, TiledTile, Tuning } from './gpu/tuning.js';

// Models
export {
  type Forward,
  type ForwardContext,
  type GpuModel,
  type GpuParameter,
  type ModelDefinition,
  type ModelOptions,
  type ModelSpec,
  pixelsOf,
  type ReferenceForward,
  type ReferenceModel,
  type ReferenceStep,
  type ReferenceStepInfo,
  type ReferenceStepResult,
  type StepContext,
  type StepRecorder,
  type Templates,
} from './model/model.js';
export {
  ACTIVATION,
  type ChoiceOption,
  type IntegerListOption,
  type IntegerOption,
  isSettable,
  MAX_RESIZE,
  type NetworkOption,
  type NumberOption,
  type OptionSchema,
  type OptionSchemas,
  type OptionValue,
  type OptionValues,
  parseOptions,
  POOL,
  type ProbabilityListOption,
  RESIZE,
  type SettableOption,
  WIDTH_DIVISOR,
} from './model/options.js';
export { describeModel, fashionMnistSpec, MODEL_KINDS, type ModelDefaults, modelDefaults, MODELS, modelDefinition } from './model/registry.js';
export { scratchModel } from './model/scratch.js';
export { conciseModel } from './model/concise.js';
export { KERNEL_CHOICES, type KernelChoice } from './model/softmax_regression.js';
export { CrossEntropyLoss, type Layer, type Parameter, Sequential } from './model/layers.js';
export { parameterCount, type Parameters, type Tensor } from './model/tensors.js';

// Layers with PyTorch's names, declared as data: fit(gpu, data, { model: nn.Sequential(...) }) trains them, a checkpoint rebuilds them
export { type LayerDecl, nn, outputShape, parameterInfo, type ParameterInfo, type SequentialDecl, shapeWalk, type ShapeRow, trainableCount } from './nn/declare.js';
export { type NetworkDefinition, sequentialModel, type NetworkModel, sequentialNetworkModel } from './nn/model.js';
export { type BookNetworkOptions, models, type VggOptions } from './lib/models.js';

// Checkpoints as bytes (files: saveCheckpoint/loadCheckpoint in 'webgpu-softmax/node')
export { type Checkpoint, CHECKPOINT_FILE, type CheckpointMeta, decodeCheckpoint, encodeCheckpoint, type EpochRecord } from './model/checkpoint.js';

// Optimizers (PyTorch's names: optim.SGD({ lr, momentum, weightDecay }), optim.Adam({ lr, betas, eps, weightDecay }))
export { type AdamConfig, createOptimizer, type GpuOptimizer, optim, OPTIMIZER_KINDS, type OptimizerConfig, type OptimizerKind, type SgdConfig, type TrainableParameter } from './optim/index.js';

// Training and evaluation
export { train, type TrainHooks, type TrainOptions, type TrainResult, type TrainStart } from './train/loop.js';
export { type EpochMetrics, type Progress, Trainer, type TrainerConfig } from './train/trainer.js';
export { type EvaluateHooks, type Evaluation, evaluateParameters, Evaluator } from './train/evaluate.js';
export type { KernelTime } from './train/profile.js';

// Pictures, as RGBA images (PNG files: writePng in 'webgpu-softmax/node'; a canvas: putImageData)
export type { RgbaImage } from './report/raster.js';
export { sheetFromEvaluation, type SheetOptions, TRAINING_PICTURES, trainingPictures, type TrainingPictures } from './report/from_training.js';
export { predictionSheet, type PredictionSheet, type PredictionSheetInput, SHEET_DEFAULTS, type SheetTile } from './report/sheet.js';
export { previewPicture, type PreviewInput, type PreviewPicture, type PreviewTile } from './report/preview.js';
export { curvesPicture, type CurvesInput, type CurvesPicture, type PlotArea } from './report/curves.js';
export { confusionMatrix, confusionPicture, type CellBox, type ConfusionOptions, type ConfusionPicture } from './report/confusion.js';
export { templatesPicture, type TemplatesOptions, type WeightsPicture, type WeightsTile } from './report/weights.js';
