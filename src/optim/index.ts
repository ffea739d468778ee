/**
 * Optimizers as components (issue 21): `optim.SGD` and `optim.Adam` make plain configs (PyTorch's names and
 * defaults); `createOptimizer` builds one on the GPU for a model's `TrainableParameter`s, owning its update kernels
 * and its state. A model lists its trainables and knows no optimizer; the trainer runs the optimizer after the
 * model's step. Browser-safe.
 */
export {
  ADAM_DEFAULTS,
  type AdamConfig,
  checkOptimizer,
  describeOptimizer,
  isPlainSgd,
  optim,
  OPTIMIZER_KINDS,
  type OptimizerConfig,
  type OptimizerKind,
  plainSgd,
  type SgdConfig,
  STEP_STATE,
  stateShapes,
  stateSuffixes,
} from './config.js';
export { createOptimizer, type GpuOptimizer, type TrainableParameter } from './gpu.js';
