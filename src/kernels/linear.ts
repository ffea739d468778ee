/**
 * The dense-layer kernels created with the adapter's tiles (gpu/tuning.ts MLP_TILES): one place that picks the
 * variant and tile of each, so models and layers only say what they compute. Every variant of a kernel binds the
 * same names. The generic kernels take any K, N and rows; the subgroup fast paths (kernels/linear_subgroup.ts)
 * run where the adapter has one known subgroup size and N (and K where read as vec4) is a multiple of 4.
 */
import type { Gpu } from '../gpu/device.js';
import { mlpTilesFor } from '../gpu/tuning.js';
import { linearForward } from './linear_forward.js';
import { linearForwardU8 } from './linear_forward_u8.js';
import { linearInputGrad } from './linear_input_grad.js';
import { linearForwardSubgroup, linearForwardU8Subgroup, linearInputGradSubgroup, linearWeightGradSubgroup, linearWeightGradU8Subgroup } from './linear_subgroup.js';
import { linearWeightGrad } from './linear_weight_grad.js';
import { linearWeightGradU8 } from './linear_weight_grad_u8.js';
import { rowGroupsFor, subgroupSize } from './subgroups.js';

type Shape = { K: number; N: number };
type Constants = Record<string, number>;
/** auto: the subgroup path where it applies; generic / subgroup: that one (subgroup throws where it cannot run). */
export type LinearVariant = 'auto' | 'generic' | 'subgroup';

/** The subgroup size to use for `shape` (K a multiple of `kMultiple`: the subgroup kernel's reads), or null for the generic kernel. */
function subgroupFor(gpu: Gpu, shape: Shape, kMultiple: 1 | 4 | 16, variant: LinearVariant): number | null {
  if (variant === 'generic' || !mlpTilesFor(gpu.adapterInfo).subgroups.enabled) return null;
  const sg = subgroupSize(gpu);
  const fits = sg !== null && shape.N % 4 === 0 && shape.K % kMultiple === 0;
  if (variant === 'subgroup' && !fits) throw new RangeError(`no subgroup path for K ${shape.K}, N ${shape.N} on this adapter (subgroup size ${sg ?? 'unknown'})`);
  return fits ? sg : null;
}

const sgConstants = (sg: number) => ({ SG: sg, RG: rowGroupsFor(sg) });
/**
 * The subgroup kernels' workgroup for a layer whose work spans `lanes` lanes (N / 4 column quads, or K / TC for the
 * input gradient): as many subgroups as the tuned size allows, fewer where that leaves fewer idle ones. lavapipe
 * runs a workgroup's idle subgroups in full, so LeNet's fc1 and fc2 (30 and 21 quads) spent over half their time
 * in them at 64 lanes (fc forward 1.9 -> 1.0 ms), and fc1's input gradient (200 lanes) a fifth of it in 4
 * workgroups of 64 instead of 5 of 40.
 */
function sgWorkgroup(gpu: Gpu, sg: number, lanes: number): number {
  const most = Math.max(1, Math.ceil(mlpTilesFor(gpu.adapterInfo).subgroups.workgroup / sg));
  const subgroups = Math.ceil(lanes / sg);
  const idle = (m: number) => Math.ceil(subgroups / m) * m - subgroups;
  let best = 1;
  for (let m = 2; m <= Math.min(most, subgroups); m++) if (idle(m) <= idle(best)) best = m;
  return best * sg;
}

/** out = act(x·W + b) (RELU and dropout constants in `constants`). */
export function createLinearForward(gpu: Gpu, shape: Shape, rows: number, constants: Constants = {}, variant: LinearVariant = 'auto') {
  const sg = subgroupFor(gpu, shape, 4, variant);
  if (sg) return linearForwardSubgroup.create(gpu, shape, { rows, workgroup: sgWorkgroup(gpu, sg, shape.N / 4), constants: { ...sgConstants(sg), ...constants } });
  const t = mlpTilesFor(gpu.adapterInfo).forward;
  return linearForward.create(gpu, shape, { rows, workgroup: t.workgroup, constants: { TR: t.rows, TC: t.cols, ...constants } });
}

/** The first layer's out = act(images[order] / 255 · W + b), y = labels[order]. */
export function createLinearForwardU8(gpu: Gpu, shape: Shape, rows: number, constants: Constants = {}, variant: LinearVariant = 'auto') {
  const sg = subgroupFor(gpu, shape, 4, variant);
  if (sg) return linearForwardU8Subgroup.create(gpu, shape, { rows, workgroup: sgWorkgroup(gpu, sg, shape.N / 4), constants: { ...sgConstants(sg), ...constants } });
  const t = mlpTilesFor(gpu.adapterInfo).forward;
  return linearForwardU8.create(gpu, shape, { rows, workgroup: t.workgroup, constants: { TR: t.rows, TC: t.cols, ...constants } });
}

/** dx = (dy·Wᵀ) ⊙ [h > 0] (RELU_MASK) or ⊙ h(1 - h) (SIGMOID_SLOPE) ⊙ the dropout mask of the layer that produced h (its constants in `constants`). */
export function createLinearInputGrad(gpu: Gpu, shape: Shape, rows: number, constants: Constants = {}, variant: LinearVariant = 'auto') {
  const sg = subgroupFor(gpu, shape, 1, variant);
  if (sg) {
    const TC = mlpTilesFor(gpu.adapterInfo).subgroups.kPerLane;
    return linearInputGradSubgroup.create(gpu, shape, { rows, workgroup: sgWorkgroup(gpu, sg, Math.ceil(shape.K / TC)), constants: { ...sgConstants(sg), TC, ...constants } });
  }
  const t = mlpTilesFor(gpu.adapterInfo).inputGrad;
  return linearInputGrad.create(gpu, shape, { rows, workgroup: t.workgroup, constants: { TR: t.rows, TC: t.cols, ...constants } });
}

/** dW = xᵀ·dy. */
export function createLinearWeightGrad(gpu: Gpu, shape: Shape, rows: number, variant: LinearVariant = 'auto') {
  const sg = subgroupFor(gpu, shape, 4, variant);
  if (sg) return linearWeightGradSubgroup.create(gpu, shape, { rows, workgroup: sgWorkgroup(gpu, sg, shape.N / 4), constants: { SG: sg, TW: mlpTilesFor(gpu.adapterInfo).subgroups.words } });
  const t = mlpTilesFor(gpu.adapterInfo).weightGrad;
  return linearWeightGrad.create(gpu, shape, { rows, workgroup: t.workgroup, constants: { TK: t.rows, TC: t.cols } });
}

/** The first layer's dW = (images[order] / 255)ᵀ·dy. */
export function createLinearWeightGradU8(gpu: Gpu, shape: Shape, rows: number, variant: LinearVariant = 'auto') {
  const sg = subgroupFor(gpu, shape, 16, variant);
  if (sg) return linearWeightGradU8Subgroup.create(gpu, shape, { rows, workgroup: sgWorkgroup(gpu, sg, shape.N / 4), constants: { SG: sg, TV: mlpTilesFor(gpu.adapterInfo).subgroups.chunks } });
  const t = mlpTilesFor(gpu.adapterInfo).weightGradU8;
  return linearWeightGradU8.create(gpu, shape, { rows, workgroup: t.workgroup, constants: { TW: t.words, TC: t.cols } });
}
