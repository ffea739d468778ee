// Gradient of the mean cross-entropy with respect to the logits, through the softmax:
// dlogits[r, n] = (probs[r, n] - [n == y[r]]) / rows.
// One minibatch step (16 bytes, one 256-byte slot per step of an epoch, written once).
struct Step {
  row0: u32,     // first position of this minibatch in the sample order
  rows: u32,     // samples in this minibatch; the last one of an epoch may be partial
  features: u32, // K = 784 pixels
  classes: u32,  // N = 10
}
@group(1) @binding(0) var<uniform> step: Step;

@group(0) @binding(0) var<storage, read> probs: array<f32>;         // [rows, classes]
@group(0) @binding(1) var<storage, read> y: array<u32>;             // [rows]
@group(0) @binding(2) var<storage, read_write> dlogits: array<f32>; // [rows, classes]

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= step.rows * step.classes) {
    return;
  }
  let r = i / step.classes;
  let n = i % step.classes;
  let onehot = select(0.0, 1.0, n == y[r]);
  dlogits[i] = (probs[i] - onehot) / f32(step.rows);
}
