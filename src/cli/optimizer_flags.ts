/**
 * The train command's optimizer flags (--optimizer, --momentum, --betas, --eps) and the OptimizerConfig they
 * give: fresh, or on --resume the checkpoint's, which a flag given again must repeat. Each problem is one
 * UsageError naming the flag.
 */
import { UsageError } from '../errors.js';
import { ADAM_DEFAULTS, describeOptimizer, optim, OPTIMIZER_KINDS, type OptimizerConfig, type OptimizerKind, plainSgd } from '../optim/config.js';
import { fashionMnistSpec, MODEL_KINDS, modelDefinition } from '../model/registry.js';
import { flagName } from './args.js';

/** The models that train with plain SGD only (the scratch ones write theirs out), for the help line: asked of each model. */
const PLAIN_SGD_ONLY = MODEL_KINDS.filter((kind) => modelDefinition(kind).optimizerProblem?.(fashionMnistSpec(kind), optim.Adam()));

export const OPTIMIZER_FLAGS = {
  optimizer: { type: 'choice' as const, choices: OPTIMIZER_KINDS, help: `sgd (default: the book's; torch.optim.SGD) or adam (torch.optim.Adam; --lr then defaults to ${ADAM_DEFAULTS.lr})${PLAIN_SGD_ONLY.length > 0 ? `; ${PLAIN_SGD_ONLY.join(', ')} train with plain SGD only` : ''}` },
  momentum: { type: 'number' as const, placeholder: 'M', help: 'SGD momentum, 0 <= M < 1, as torch.optim.SGD(momentum=M) (default 0) [sgd]' },
  betas: { type: 'string' as const, placeholder: 'B1,B2', help: `Adam's betas, each 0 <= B < 1 (default ${ADAM_DEFAULTS.betas.join(',')}) [adam]` },
  eps: { type: 'number' as const, placeholder: 'EPS', help: `Adam's eps, added to the denominator (default ${ADAM_DEFAULTS.eps}) [adam]` },
};

/** The optimizer flags as parsed (undefined: not given). */
export interface OptimizerFlags {
  optimizer?: string;
  momentum?: number;
  betas?: string;
  eps?: number;
}

const fraction = (v: number) => v >= 0 && v < 1;

function parseBetas(text: string): [number, number] {
  const parts = text.split(',').map((p) => p.trim());
  const values = parts.map((p) => (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(p) ? Number(p) : NaN));
  if (values.length !== 2 || !values.every((v) => Number.isFinite(v) && fraction(v))) {
    throw new UsageError(`--betas must be two numbers, each at least 0 and below 1, as B1,B2 (e.g. 0.9,0.999), not "${text}"`);
  }
  return [values[0], values[1]];
}

/**
 * The run's optimizer from the flags at learning rate `lr`: on a fresh run the flags' (sgd by default); resuming,
 * `saved` (the checkpoint's), where an optimizer flag given again must say what it says.
 */
export function optimizerFromFlags(flags: OptimizerFlags, lr: number, saved?: OptimizerConfig): OptimizerConfig {
  const kind = (flags.optimizer ?? saved?.kind ?? 'sgd') as OptimizerKind;
  if (kind !== 'sgd' && flags.momentum !== undefined) throw new UsageError(`--momentum is SGD's, not ${kind}'s (Adam's momentum is --betas B1,B2)`);
  const adamOnly = (['betas', 'eps'] as const).filter((k) => flags[k] !== undefined);
  if (kind !== 'adam' && adamOnly.length > 0) throw new UsageError(`${adamOnly.map(flagName).join(' and ')} ${adamOnly.length > 1 ? 'are' : 'is'} Adam's: add --optimizer adam, or leave ${adamOnly.length > 1 ? 'them' : 'it'} out`);
  if (flags.momentum !== undefined && !fraction(flags.momentum)) throw new UsageError(`--momentum must be at least 0 and below 1, got ${flags.momentum}`);
  if (flags.eps !== undefined && !(flags.eps >= 0)) throw new UsageError(`--eps must be at least 0, got ${flags.eps}`);
  const betas = flags.betas === undefined ? undefined : parseBetas(flags.betas);
  if (saved) {
    // Every optimizer flag given again must say what the checkpoint's run was started with.
    const disagree = (flag: string, mine: string, theirs: string) =>
      new UsageError(`${flag} ${mine} disagrees with the checkpoint being resumed (${describeOptimizer(saved)}); leave ${flag} out to resume it`);
    if (kind !== saved.kind) throw disagree('--optimizer', kind, saved.kind);
    if (saved.kind === 'sgd' && flags.momentum !== undefined && flags.momentum !== saved.momentum) throw disagree('--momentum', String(flags.momentum), String(saved.momentum));
    if (saved.kind === 'adam' && betas && betas.join() !== saved.betas.join()) throw disagree('--betas', betas.join(','), saved.betas.join(','));
    if (saved.kind === 'adam' && flags.eps !== undefined && flags.eps !== saved.eps) throw disagree('--eps', String(flags.eps), String(saved.eps));
    return { ...saved, lr };
  }
  if (kind === 'adam') return optim.Adam({ lr, betas, eps: flags.eps });
  return flags.momentum ? optim.SGD({ lr, momentum: flags.momentum }) : plainSgd(lr);
}
