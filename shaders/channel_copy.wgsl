// Channel concatenation (torch.cat(..., dim=1): GoogLeNet's Inception, DenseNet) and its backward, one branch at a
// time: the part [rows, C_PART, HW] and channels [OFFSET, OFFSET + C_PART) of the whole [rows, C_TOTAL, HW].
//   INTO 1 (forward):  whole[r, OFFSET + c, p] = part[r, c, p]
//   INTO 0 (backward): part[r, c, p] = whole[r, OFFSET + c, p]   (the branch's slice of ∂l/∂output)
// One invocation per value of the part; 2-D grids (kernels/kernel.ts, spreadGrid).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C_PART: u32;
override C_TOTAL: u32;
override HW: u32;
override OFFSET: u32 = 0u;
override INTO: u32 = 1u;

@group(0) @binding(0) var<storage, read_write> part: array<f32>;   // [rows, C_PART, HW]
@group(0) @binding(1) var<storage, read_write> whole: array<f32>;  // [rows, C_TOTAL, HW]

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * WG);
  if (i >= step.rows * C_PART * HW) {
    return;
  }
  let r = i / (C_PART * HW);
  let j = (r * C_TOTAL + OFFSET) * HW + i % (C_PART * HW);
  if (INTO == 1u) {
    whole[j] = part[i];
  } else {
    part[i] = whole[j];
  }
}
