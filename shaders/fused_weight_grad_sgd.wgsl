// The hot path's second kernel: gradient reduction and SGD update fused into one dispatch.
// Invocation k < features owns row k of W: dW[k, :] = sum over rows of x[r, k] * dlogits[r, :], then
// W[k, :] -= lr * dW[k, :]. Invocations features .. features + CLASSES - 1 do the same for b with db = column
// sums of dlogits. Each element of W is read and written by exactly one invocation, so no races and no
// barriers, and x is read as u8 from the resident dataset.
struct Step {
  row0: u32,
  rows: u32,
  features: u32,
  classes: u32,
}
@group(1) @binding(0) var<uniform> step: Step;

struct Sgd {
  lr: f32,
  count: u32, // unused here; the layout is sgd_update.wgsl's
}
@group(0) @binding(0) var<storage, read> images: array<u32>;        // [count, features / 4] u8 x4 packed
@group(0) @binding(1) var<storage, read> order: array<u32>;         // [count]
@group(0) @binding(2) var<storage, read> dlogits: array<f32>;       // [rows, CLASSES]
@group(0) @binding(3) var<storage, read_write> w: array<f32>;       // [features, CLASSES]
@group(0) @binding(4) var<storage, read_write> b: array<f32>;       // [CLASSES]
@group(0) @binding(5) var<uniform> sgd: Sgd;

const CLASSES: u32 = 10u;
override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  var acc: array<f32, CLASSES>;
  for (var n = 0u; n < CLASSES; n++) {
    acc[n] = 0.0;
  }
  if (i < step.features) {
    let words = step.features / 4u;
    let word = i / 4u;
    let shift = 8u * (i % 4u);
    for (var r = 0u; r < step.rows; r++) {
      let pixel = f32((images[order[step.row0 + r] * words + word] >> shift) & 0xffu);
      for (var n = 0u; n < CLASSES; n++) {
        acc[n] += pixel * dlogits[r * CLASSES + n];
      }
    }
    let scale = sgd.lr / 255.0;
    for (var n = 0u; n < CLASSES; n++) {
      w[i * CLASSES + n] -= scale * acc[n];
    }
  } else if (i < step.features + CLASSES) {
    let n = i - step.features;
    var db = 0.0;
    for (var r = 0u; r < step.rows; r++) {
      db += dlogits[r * CLASSES + n];
    }
    b[n] -= sgd.lr * db;
  }
}
