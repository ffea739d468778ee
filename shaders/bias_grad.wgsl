// Gradient of the loss with respect to b: column sums of dlogits.
// One minibatch step (16 bytes, one 256-byte slot per step of an epoch, written once).
struct Step {
  row0: u32,     // first position of this minibatch in the sample order
  rows: u32,     // samples in this minibatch; the last one of an epoch may be partial
  features: u32, // K = 784 pixels
  classes: u32,  // N = 10
}
@group(1) @binding(0) var<uniform> step: Step;

@group(0) @binding(0) var<storage, read> dlogits: array<f32>;    // [rows, classes]
@group(0) @binding(1) var<storage, read_write> db: array<f32>;   // [classes]

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  if (n >= step.classes) {
    return;
  }
  var acc = 0.0;
  for (var r = 0u; r < step.rows; r++) {
    acc += dlogits[r * step.classes + n];
  }
  db[n] = acc;
}
