/**
 * Whether the dense and convolution kernels can take their subgroup shape (shaders/*_subgroup.wgsl): the device has
 * the `subgroups` feature (the Node device asks for it when the adapter has it; the page does not) and the adapter's subgroup size is
 * one known number, so the shaders' row loops can be unrolled for it. lavapipe: 8. Elsewhere (min != max, or no
 * feature) the register-tiled kernels run.
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

/**
 * Row groups per workgroup: about 24 rows (24 vec4 accumulators per lane), at least one subgroup. On lavapipe
 * (subgroups of 8) 3 groups ran the first layer's forward 8-10% faster than 2 in four back-to-back comparisons,
 * and 4 fell off a cliff (the driver no longer unrolls the row loops, and the accumulators go to memory).
 */
export const rowGroupsFor = (sg: number): number => Math.min(MAX_ROW_GROUPS, Math.max(1, Math.floor(24 / sg)));
