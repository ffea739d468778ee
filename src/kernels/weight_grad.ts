import type { Gpu } from '../gpu/device.js';
import { mlpTilesFor } from '../gpu/tuning.js';
import type { CreateOptions } from './kernel.js';
import { linearWeightGrad, withBindingNames } from './linear.js';

/**
 * dW = xᵀ · dlogits, x: [rows, K], dlogits: [rows, N]: the dense template's weight gradient (shaders/linear.wgsl) in
 * the adapter's tile (the same bits as one element of dW per invocation). Its dy is bound as `dlogits`, as softmax
 * regression's callers name it.
 */
export const weightGrad = {
  spec: linearWeightGrad.spec,
  async create(gpu: Gpu, shape: { K: number; N: number }, options: CreateOptions = {}) {
    const t = mlpTilesFor(gpu.adapterInfo).weightGrad;
    const kernel = await linearWeightGrad.create(gpu, shape, { workgroup: t.workgroup, ...options, constants: { TR: t.rows, TC: t.cols, ...options.constants } });
    return withBindingNames<'x' | 'dy' | 'dw', 'x' | 'dlogits' | 'dw'>(kernel, { dlogits: 'dy' });
  },
};
