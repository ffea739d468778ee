import type { Gpu } from '../gpu/device.js';
import { type MlpTiles, mlpTilesFor } from '../gpu/tuning.js';
import type { CreateOptions } from './kernel.js';
import { linearForward, withBindingNames } from './linear.js';

/**
 * logits = x·W + b, x: [rows, K], W: [K, N]: the dense template's forward (shaders/linear.wgsl) with no activation,
 * in the forward tile of `tiles` (a model's StepContext.tuning.dense; default the adapter's table; every tile sums
 * k in the same order, so the same bits as one output per invocation). Its output is bound as `logits`, as softmax
 * regression's callers name it.
 */
export const matmulBias = {
  spec: linearForward.spec,
  async create(gpu: Gpu, shape: { K: number; N: number }, options: CreateOptions & { tiles?: MlpTiles } = {}) {
    const { tiles = mlpTilesFor(gpu.adapterInfo), ...rest } = options;
    const t = tiles.forward;
    const kernel = await linearForward.create(gpu, shape, { workgroup: t.workgroup, ...rest, constants: { TR: t.rows, TC: t.cols, ...rest.constants } });
    return withBindingNames<'x' | 'w' | 'b' | 'out', 'x' | 'w' | 'b' | 'logits'>(kernel, { logits: 'out' });
  },
};
