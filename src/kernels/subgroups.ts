/**
 * Whether the dense-layer kernels can take their subgroup fast path (the *_subgroup.wgsl files): the device has
 * the `subgroups` feature (the Node device asks for it when the adapter has it; the page does not) and the adapter's subgroup size is
 * one known number, so the shaders' row loops can be unrolled for it. lavapipe: 8. Elsewhere (min != max, or no
 * feature) the generic kernels run.
 */
import type { Gpu } from '../gpu/device.js';

export const MAX_SUBGROUP_ROWS = 32; // the shaders' MAX_ROWS
export const MAX_ROW_GROUPS = 4; // the shaders' MAX_RG

export function subgroupSize(gpu: Gpu): number | null {
  if (!gpu.device.features.has('subgroups')) return null;
  const info = gpu.adapter.info as { subgroupMinSize?: number; subgroupMaxSize?: number };
  const size = info.subgroupMinSize;
  if (!size || size !== info.subgroupMaxSize || size > MAX_SUBGROUP_ROWS || (size & (size - 1)) !== 0) return null;
  return size;
}

/** Row groups per workgroup: about 16 rows (16 accumulators per lane, what lavapipe's 16 AVX2 registers hold), at least one subgroup. */
export const rowGroupsFor = (sg: number): number => Math.min(MAX_ROW_GROUPS, Math.max(1, Math.floor(16 / sg)));
