/**
 * The dense-layer kernels created with the adapter's tiles (gpu/tuning.ts MLP_TILES): one place that picks the
 * tile of each, so the models and layers only say what they compute. The generic kernels take any K, N and rows.
 */
import type { Gpu } from '../gpu/device.js';
import { mlpTilesFor } from '../gpu/tuning.js';
import { linearForward } from './linear_forward.js';
import { linearForwardU8 } from './linear_forward_u8.js';
import { linearInputGrad } from './linear_input_grad.js';
import { linearWeightGrad } from './linear_weight_grad.js';
import { linearWeightGradU8 } from './linear_weight_grad_u8.js';

type Shape = { K: number; N: number };
type Constants = Record<string, number>;

/** out = act(x·W + b) (RELU and dropout constants in `constants`). */
export function createLinearForward(gpu: Gpu, shape: Shape, rows: number, constants: Constants = {}) {
  const t = mlpTilesFor(gpu.adapterInfo).forward;
  return linearForward.create(gpu, shape, { rows, workgroup: t.workgroup, constants: { TR: t.rows, TC: t.cols, ...constants } });
}

/** The first layer's out = act(images[order] / 255 · W + b), y = labels[order]. */
export function createLinearForwardU8(gpu: Gpu, shape: Shape, rows: number, constants: Constants = {}) {
  const t = mlpTilesFor(gpu.adapterInfo).forward;
  return linearForwardU8.create(gpu, shape, { rows, workgroup: t.workgroup, constants: { TR: t.rows, TC: t.cols, ...constants } });
}

/** dx = (dy·Wᵀ) ⊙ [h > 0] ⊙ the dropout mask of the layer that produced h (its constants in `constants`). */
export function createLinearInputGrad(gpu: Gpu, shape: Shape, rows: number, constants: Constants = {}) {
  const t = mlpTilesFor(gpu.adapterInfo).inputGrad;
  return linearInputGrad.create(gpu, shape, { rows, workgroup: t.workgroup, constants: { TR: t.rows, TC: t.cols, ...constants } });
}

/** dW = xᵀ·dy. */
export function createLinearWeightGrad(gpu: Gpu, shape: Shape, rows: number) {
  const t = mlpTilesFor(gpu.adapterInfo).weightGrad;
  return linearWeightGrad.create(gpu, shape, { rows, workgroup: t.workgroup, constants: { TK: t.rows, TC: t.cols } });
}

/** The first layer's dW = (images[order] / 255)ᵀ·dy. */
export function createLinearWeightGradU8(gpu: Gpu, shape: Shape, rows: number) {
  const t = mlpTilesFor(gpu.adapterInfo).weightGradU8;
  return linearWeightGradU8.create(gpu, shape, { rows, workgroup: t.workgroup, constants: { TW: t.words, TC: t.cols } });
}
