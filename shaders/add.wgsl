// Sums for a residual block (its output: body + shortcut; its input's gradient: the two paths' gradients, since
// the input fans out to both) and for the branches of a concatenation (their input gradients). Two entry points
// over a step's [rows, N] values; 2-D grids of any size (kernels/kernel.ts, spreadGrid).
//   sum:        out = a + b
//   accumulate: out += b
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override N: u32; // values per row

@group(0) @binding(0) var<storage, read> a: array<f32>;          // [rows, N] (sum only)
@group(0) @binding(1) var<storage, read> b: array<f32>;          // [rows, N]
@group(0) @binding(2) var<storage, read_write> out: array<f32>;  // [rows, N]

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn sum(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * WG);
  if (i >= step.rows * N) {
    return;
  }
  out[i] = a[i] + b[i];
}

@compute @workgroup_size(WG)
fn accumulate(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * WG);
  if (i >= step.rows * N) {
    return;
  }
  out[i] += b[i];
}
