/**
 * Optimizers as data: what `optim.SGD(...)` and `optim.Adam(...)` return is a plain, JSON-able config (stored in
 * checkpoints, sent to the page's worker), not an object holding buffers. `createOptimizer` (./gpu.ts) builds
 * one on the GPU for a model's trainable parameters. The names, arguments and defaults are PyTorch's
 * (torch.optim.SGD, torch.optim.Adam), with weightDecay for weight_decay. No Node APIs.
 */
import { UsageError } from '../errors.js';
import { f32Problem } from '../model/limits.js';

/** torch.optim.SGD: with momentum, buf = momentum * buf + g (the first step: buf = g), p -= lr * buf; g includes weightDecay * p. */
export interface SgdConfig {
  /** 'sgd'. */
  kind: 'sgd';
  /** The learning rate. */
  lr: number;
  /** Momentum (0: plain SGD), as torch.optim.SGD(momentum=...). */
  momentum: number;
  /** L2 weight decay added to the gradients of the weights. */
  weightDecay: number;
}

/** torch.optim.Adam (not AdamW): weightDecay * p is added to the gradient before the moments, as PyTorch's Adam does. */
export interface AdamConfig {
  /** 'adam'. */
  kind: 'adam';
  /** The learning rate. */
  lr: number;
  /** The moments' decay rates (beta1, beta2). */
  betas: [number, number];
  /** Added to the square root of the second moment. */
  eps: number;
  /** L2 weight decay added to the gradients of the weights before the moments. */
  weightDecay: number;
}

/** An optimizer and its settings, as optim.SGD and optim.Adam make them; stored in checkpoints. */
export type OptimizerConfig = SgdConfig | AdamConfig;

/** The optimizers this build has, as `--optimizer` names them. */
export const OPTIMIZER_KINDS = ['sgd', 'adam'] as const;
/** An optimizer's name: 'sgd' or 'adam'. */
export type OptimizerKind = (typeof OPTIMIZER_KINDS)[number];

/** Adam's defaults, PyTorch's. */
export const ADAM_DEFAULTS = { lr: 0.001, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0 };

/**
 * The optimizers by PyTorch's names: `optim.SGD({ lr: 0.1, momentum: 0.9 })`, `optim.Adam({ lr: 1e-3 })`. Each
 * checks its arguments (a UsageError naming the bad one) and returns the config `fit`, `train` and checkpoints take.
 */
export const optim = {
  /** torch.optim.SGD(params, lr, momentum=0, weight_decay=0); no dampening or Nesterov. */
  SGD(options: { lr: number; momentum?: number; weightDecay?: number }): SgdConfig {
    return checkOptimizer({ kind: 'sgd', lr: options?.lr, momentum: options?.momentum ?? 0, weightDecay: options?.weightDecay ?? 0 }, 'optim.SGD');
  },
  /** torch.optim.Adam(params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0); no AMSGrad. */
  Adam(options: { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number } = {}): AdamConfig {
    const d = ADAM_DEFAULTS;
    return checkOptimizer({ kind: 'adam', lr: options.lr ?? d.lr, betas: options.betas ?? [...d.betas], eps: options.eps ?? d.eps, weightDecay: options.weightDecay ?? d.weightDecay }, 'optim.Adam');
  },
};

/** The book's optimizer: plain SGD at `lr` (what every model trained with before optimizers were components). */
export const plainSgd = (lr: number): SgdConfig => ({ kind: 'sgd', lr, momentum: 0, weightDecay: 0 });

/** Whether `config` is SGD without momentum or weight decay: what the models' fused updates and written-out SGD compute. */
export const isPlainSgd = (config: OptimizerConfig): boolean => config.kind === 'sgd' && config.momentum === 0 && config.weightDecay === 0;

/**
 * Why a scratch model (its SGD written out kernel by kernel, as the book teaches it) cannot train with `config`,
 * or null for plain SGD: one line naming the concise model that can.
 */
export function writtenOutSgdProblem(kind: string, concise: string, config: OptimizerConfig): string | null {
  if (isPlainSgd(config)) return null;
  return `model ${kind} writes out plain SGD (the book's teaching form) and cannot train with ${describeOptimizer(config)}; use model ${concise}, whose parameters any optimizer updates`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a config (from code, a flag or a checkpoint's metadata) and returns it with exactly its kind's fields;
 * each problem is one UsageError starting with `where` (e.g. `optim.Adam`, a checkpoint's name).
 */
export function checkOptimizer<T extends OptimizerConfig>(config: unknown, where: string): T;
export function checkOptimizer(config: unknown, where: string): OptimizerConfig {
  if (!isObject(config)) throw new UsageError(`${where}: an optimizer must be optim.SGD({...}) or optim.Adam({...}), not ${JSON.stringify(config)}`);
  const real = (key: string, value: unknown, range: 'positive' | 'nonnegative' | 'fraction'): number => {
    const ok = typeof value === 'number' && (range === 'positive' ? value > 0 : range === 'nonnegative' ? value >= 0 : value >= 0 && value < 1);
    const want = range === 'positive' ? 'a number above 0' : range === 'nonnegative' ? 'a number at least 0' : 'a number at least 0 and below 1';
    if (!ok) throw new UsageError(`${where}: ${key} must be ${want}, not ${JSON.stringify(value) ?? 'undefined'}`);
    const problem = f32Problem(value);
    if (problem) throw new UsageError(`${where}: ${key} ${problem}`);
    return value;
  };
  if (config.kind === 'sgd') {
    return { kind: 'sgd', lr: real('lr', config.lr, 'positive'), momentum: real('momentum', config.momentum, 'fraction'), weightDecay: real('weightDecay', config.weightDecay, 'nonnegative') };
  }
  if (config.kind === 'adam') {
    const betas = config.betas;
    if (!Array.isArray(betas) || betas.length !== 2) throw new UsageError(`${where}: betas must be two numbers [beta1, beta2], not ${JSON.stringify(betas) ?? 'undefined'}`);
    return {
      kind: 'adam',
      lr: real('lr', config.lr, 'positive'),
      betas: [real('betas[0]', betas[0], 'fraction'), real('betas[1]', betas[1], 'fraction')],
      eps: real('eps', config.eps, 'nonnegative'),
      weightDecay: real('weightDecay', config.weightDecay, 'nonnegative'),
    };
  }
  throw new UsageError(`${where}: unknown optimizer "${String(config.kind)}" (this build has ${OPTIMIZER_KINDS.join(', ')})`);
}

/** The optimizer in a few words, for the start line: "sgd", "sgd, momentum 0.9", "adam, betas 0.9/0.999, eps 1e-8". */
export function describeOptimizer(config: OptimizerConfig): string {
  const parts: string[] = [config.kind];
  if (config.kind === 'sgd' && config.momentum > 0) parts.push(`momentum ${config.momentum}`);
  if (config.kind === 'adam') parts.push(`betas ${config.betas.join('/')}`, `eps ${config.eps}`);
  if (config.weightDecay > 0) parts.push(`weight decay ${config.weightDecay}`);
  return parts.join(', ');
}

/** The state tensors' names for one parameter, as PyTorch's optimizer state names them (none for plain SGD). */
export function stateSuffixes(config: OptimizerConfig): string[] {
  if (config.kind === 'adam') return ['exp_avg', 'exp_avg_sq'];
  return config.momentum > 0 ? ['momentum_buffer'] : [];
}

/** The optimizer's step count, a [1] tensor in its state (Adam's `t`; PyTorch keeps it as a float tensor too). */
export const STEP_STATE = 'optimizer.step';

/**
 * Every state tensor of `config` over `params` (name -> shape), in the order readState gives them: each
 * parameter's `${name}.${suffix}` (shaped like the parameter), then Adam's step count. Checkpoints accept exactly these.
 */
export function stateShapes(config: OptimizerConfig, params: ReadonlyArray<{ name: string; shape: readonly number[] }>): Record<string, readonly number[]> {
  const shapes: Record<string, readonly number[]> = {};
  for (const suffix of stateSuffixes(config)) for (const p of params) shapes[`${p.name}.${suffix}`] = p.shape;
  if (config.kind === 'adam') shapes[STEP_STATE] = [1];
  return shapes;
}
