// Sums for a residual block (its output: body + shortcut; its input's gradient: the two paths' gradients, since
// the input fans out to both) and for the branches of a concatenation (their input gradients). Two entry points
// over a step's [rows, N] values; 2-D grids of any size (kernels/kernel.ts, spreadGrid), four values an invocation
// where N % 4 == 0 (prelude/quads.wgsl).
//   sum:        out = a + b
//   accumulate: out += b
// Prepended by the loader: `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl; VALUES and first_value:
// prelude/quads.wgsl.
override N: u32; // values per row
override RUN: u32 = N; // prelude/quads.wgsl: a row's values may be taken four at a time

@group(0) @binding(0) var<storage, read> a: array<f32>;          // [rows, N] (sum only)
@group(0) @binding(1) var<storage, read> b: array<f32>;          // [rows, N]
@group(0) @binding(2) var<storage, read_write> out: array<f32>;  // [rows, N]

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn sum(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = first_value(gid, nwg);
  if (i < step.rows * N) {
    for (var j = 0u; j < VALUES; j++) {
      out[i + j] = a[i + j] + b[i + j];
    }
  }
}

@compute @workgroup_size(WG)
fn accumulate(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = first_value(gid, nwg);
  if (i < step.rows * N) {
    for (var j = 0u; j < VALUES; j++) {
      out[i + j] += b[i + j];
    }
  }
}
