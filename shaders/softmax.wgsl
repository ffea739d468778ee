// Row-wise softmax, numerically stable: exp(z - max(z)) / sum(exp(z - max(z))), so ±1e4 logits neither
// overflow nor become NaN (d2l 3.6 writes exp(z) / sum(exp(z)), which overflows for z > 88).
// One minibatch step (16 bytes, one 256-byte slot per step of an epoch, written once).
struct Step {
  row0: u32,     // first position of this minibatch in the sample order
  rows: u32,     // samples in this minibatch; the last one of an epoch may be partial
  features: u32, // K = 784 pixels
  classes: u32,  // N = 10
}
@group(1) @binding(0) var<uniform> step: Step;

@group(0) @binding(0) var<storage, read> logits: array<f32>;       // [rows, classes]
@group(0) @binding(1) var<storage, read_write> probs: array<f32>;  // [rows, classes]

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= step.rows) {
    return;
  }
  let base = r * step.classes;
  var m = logits[base];
  for (var n = 1u; n < step.classes; n++) {
    m = max(m, logits[base + n]);
  }
  var total = 0.0;
  for (var n = 0u; n < step.classes; n++) {
    let e = exp(logits[base + n] - m);
    probs[base + n] = e;
    total += e;
  }
  // total >= 1 (the max contributes exp(0)), so the division is always safe.
  let inv = 1.0 / total;
  for (var n = 0u; n < step.classes; n++) {
    probs[base + n] *= inv;
  }
}
