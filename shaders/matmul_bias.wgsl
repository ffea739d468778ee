// The linear layer's forward pass, batched over the minibatch: logits = x · W + b.
// One minibatch step (16 bytes, one 256-byte slot per step of an epoch, written once).
struct Step {
  row0: u32,     // first position of this minibatch in the sample order
  rows: u32,     // samples in this minibatch; the last one of an epoch may be partial
  features: u32, // K = 784 pixels
  classes: u32,  // N = 10
}
@group(1) @binding(0) var<uniform> step: Step;

@group(0) @binding(0) var<storage, read> x: array<f32>;          // [rows, features] row-major
@group(0) @binding(1) var<storage, read> w: array<f32>;          // [features, classes] row-major
@group(0) @binding(2) var<storage, read> b: array<f32>;          // [classes]
@group(0) @binding(3) var<storage, read_write> logits: array<f32>; // [rows, classes] row-major

override WG: u32 = 64;

// One invocation per output element. Neighbouring invocations share a row of x (same cache lines) and read
// adjacent columns of W, which suits both CPU Vulkan (lavapipe vectorises across invocations) and GPUs.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= step.rows * step.classes) {
    return;
  }
  let r = i / step.classes;
  let n = i % step.classes;
  var acc = 0.0;
  let xr = r * step.features;
  for (var k = 0u; k < step.features; k++) {
    acc += x[xr + k] * w[k * step.classes + n];
  }
  logits[i] = acc + b[n];
}
