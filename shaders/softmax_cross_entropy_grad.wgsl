// Gradient of the mean cross-entropy with respect to the logits, through the softmax:
// dlogits[r, n] = (probs[r, n] - [n == y[r]]) / rows.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override N: u32; // outputs per row (the classes, for a last layer), fixed when the kernel is created

@group(0) @binding(0) var<storage, read> probs: array<f32>;         // [rows, N]
@group(0) @binding(1) var<storage, read> y: array<u32>;             // [rows]
@group(0) @binding(2) var<storage, read_write> dlogits: array<f32>; // [rows, N]

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= step.rows * N) {
    return;
  }
  let r = i / N;
  let n = i % N;
  let onehot = select(0.0, 1.0, n == y[r]);
  dlogits[i] = (probs[i] - onehot) / f32(step.rows);
}
