import type { Gpu } from '../gpu/device.js';
import { type MlpTiles, mlpTilesFor } from '../gpu/tuning.js';
import type { CreateOptions } from './kernel.js';
import { linearWeightGrad, withBindingNames } from './linear.js';

/**
 * dW = xᵀ · dlogits, x: [rows, K], dlogits: [rows, N]: the dense template's weight gradient (shaders/linear.wgsl) in
 * the weight-gradient tile of `tiles` (a model's StepContext.tuning.dense; default the adapter's table; the same
 * bits as one element of dW per invocation). Its dy is bound as `dlogits`, as softmax regression's callers name it.
 */
export const weightGrad = {
  spec: linearWeightGrad.spec,
  async create(gpu: Gpu, shape: { K: number; N: number }, options: CreateOptions & { tiles?: MlpTiles } = {}) {
    const { tiles = mlpTilesFor(gpu.adapterInfo), ...rest } = options;
    const t = tiles.weightGrad;
    const kernel = await linearWeightGrad.create(gpu, shape, { workgroup: t.workgroup, ...rest, constants: { TR: t.rows, TC: t.cols, ...rest.constants } });
    return withBindingNames<'x' | 'dy' | 'dw', 'x' | 'dlogits' | 'dw'>(kernel, { dlogits: 'dy' });
  },
};
