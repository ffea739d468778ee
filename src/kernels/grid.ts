/**
 * Grids for element-wise kernels over tensors of any size: WebGPU allows at most 65,535 workgroups per dimension
 * (maxComputeWorkgroupsPerDimension's guaranteed value), and a [128, 96, 56, 56] activation at 64 per workgroup
 * needs 600,000. A linear count of workgroups is spread over x and y; the shader recovers its linear index as
 *   let i = gid.x + gid.y * (nwg.x * WG);   // gid: global_invocation_id, nwg: num_workgroups
 * and skips indices past the tensor (the grid may hold up to one row of spare workgroups).
 */
export const MAX_WORKGROUPS_PER_DIMENSION = 65_535;

/** [x, y] workgroups covering `workgroups` in a linear order, each dimension within the limit. */
export function linearGrid(workgroups: number): [number, number] {
  const n = Math.max(1, Math.ceil(workgroups));
  const y = Math.ceil(n / MAX_WORKGROUPS_PER_DIMENSION);
  return [Math.ceil(n / y), y];
}
