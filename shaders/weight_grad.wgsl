// Gradient of the loss with respect to W: dW = xᵀ · dlogits, summed over the minibatch's rows.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override K: u32; // features per row (the layer's inputs), fixed when the kernel is created
override N: u32; // outputs per row (the classes, for a last layer), fixed when the kernel is created

@group(0) @binding(0) var<storage, read> x: array<f32>;          // [rows, K]
@group(0) @binding(1) var<storage, read> dlogits: array<f32>;    // [rows, N]
@group(0) @binding(2) var<storage, read_write> dw: array<f32>;   // [K, N] row-major, like W

override WG: u32 = 64;

// One invocation per element of dW (7840 for 784 x 10), each a dot product over the rows.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= K * N) {
    return;
  }
  let k = i / N;
  let n = i % N;
  var acc = 0.0;
  for (var r = 0u; r < step.rows; r++) {
    acc += x[r * K + k] * dlogits[r * N + n];
  }
  dw[i] = acc;
}
