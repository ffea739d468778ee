// ReLU as its own kernel (d2l 4.2's relu(X) = max(X, 0)), element-wise over one minibatch's activations.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override N: u32; // values per row, fixed when the kernel is created

@group(0) @binding(0) var<storage, read> x: array<f32>;          // [rows, N]
@group(0) @binding(1) var<storage, read_write> out: array<f32>;  // [rows, N]

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * WG); // a 2-D grid of any size (kernels/kernel.ts, spreadGrid)
  if (i >= step.rows * N) {
    return;
  }
  out[i] = max(x[i], 0.0);
}
