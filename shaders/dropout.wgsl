// Dropout as its own kernel (d2l 4.6's dropout_layer), element-wise over one minibatch's activations, in
// training only: out = x / (1 - p) where kept, 0 where dropped. The mask is a hash of (layer stream, epoch,
// step, element) (prelude/dropout_mask.wgsl), so the backward pass recomputes it instead of storing it.
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
  out[i] = dropout_apply(x[i], i);
}
