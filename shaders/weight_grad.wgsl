// Gradient of the loss with respect to W: dW = xᵀ · dlogits, summed over the minibatch's rows.
// One minibatch step (16 bytes, one 256-byte slot per step of an epoch, written once).
struct Step {
  row0: u32,     // first position of this minibatch in the sample order
  rows: u32,     // samples in this minibatch; the last one of an epoch may be partial
  features: u32, // K = 784 pixels
  classes: u32,  // N = 10
}
@group(1) @binding(0) var<uniform> step: Step;

@group(0) @binding(0) var<storage, read> x: array<f32>;          // [rows, features]
@group(0) @binding(1) var<storage, read> dlogits: array<f32>;    // [rows, classes]
@group(0) @binding(2) var<storage, read_write> dw: array<f32>;   // [features, classes] row-major, like W

override WG: u32 = 64;

// One invocation per element of dW (7840 for 784 x 10), each a dot product over the rows.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= step.features * step.classes) {
    return;
  }
  let k = i / step.classes;
  let n = i % step.classes;
  var acc = 0.0;
  for (var r = 0u; r < step.rows; r++) {
    acc += x[r * step.features + k] * dlogits[r * step.classes + n];
  }
  dw[i] = acc;
}
