// Sums for a residual block (its output: body + shortcut; its input's gradient: the two paths' gradients, since
// the input fans out to both) and for the branches of a concatenation (their input gradients). Two entry points
// over a step's [rows, N] values; 2-D grids of any size (kernels/kernel.ts, spreadGrid), four values an invocation
// where N % 4 == 0 (prelude/quads.wgsl).
//   sum:        out = a + b
//   accumulate: out += b
// Prepended by the loader: `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl; QUAD and first_value:
// prelude/quads.wgsl.
override N: u32; // values per row

@group(0) @binding(0) var<storage, read> a: array<f32>;          // [rows, N] (sum only)
@group(0) @binding(1) var<storage, read> b: array<f32>;          // [rows, N]
@group(0) @binding(2) var<storage, read_write> out: array<f32>;  // [rows, N]

override WG: u32 = 64;

fn a4(i: u32) -> vec4f {
  return vec4f(a[i], a[i + 1u], a[i + 2u], a[i + 3u]);
}

fn b4(i: u32) -> vec4f {
  return vec4f(b[i], b[i + 1u], b[i + 2u], b[i + 3u]);
}

fn out4(i: u32) -> vec4f {
  return vec4f(out[i], out[i + 1u], out[i + 2u], out[i + 3u]);
}

fn store4(i: u32, v: vec4f) {
  out[i] = v.x;
  out[i + 1u] = v.y;
  out[i + 2u] = v.z;
  out[i + 3u] = v.w;
}

@compute @workgroup_size(WG)
fn sum(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = first_value(gid, nwg);
  if (i >= step.rows * N) {
    return;
  }
  if (QUAD) {
    store4(i, a4(i) + b4(i));
  } else {
    out[i] = a[i] + b[i];
  }
}

@compute @workgroup_size(WG)
fn accumulate(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = first_value(gid, nwg);
  if (i >= step.rows * N) {
    return;
  }
  if (QUAD) {
    store4(i, out4(i) + b4(i));
  } else {
    out[i] += b[i];
  }
}
