// The hot path's first kernel: one minibatch step's forward and loss side, fused into one dispatch.
// Per row r of the step (sample s = order[row0 + r]):
//   x = images[s] / 255 (read as u8 straight from the resident dataset, no gathered copy)
//   z = x·W + b, p = softmax(z), loss = cross-entropy, dlogits[r] = (p - onehot(y)) / rows, hit = argmax(z) == y
// Loss and hit are stored per position of the epoch and summed once at the epoch's end (sum_epoch_totals),
// so no step needs a cross-workgroup reduction. Same math as the separate kernels, in the same f32 precision;
// the order of the pixel sum differs (bytes are summed first, divided by 255 once at the end).
struct Step {
  row0: u32,
  rows: u32,
  features: u32,
  classes: u32,
}
@group(1) @binding(0) var<uniform> step: Step;

@group(0) @binding(0) var<storage, read> images: array<u32>;          // [count, features / 4] u8 x4 packed
@group(0) @binding(1) var<storage, read> labels: array<u32>;          // [count]
@group(0) @binding(2) var<storage, read> order: array<u32>;           // [count] the epoch's shuffle
@group(0) @binding(3) var<storage, read> w: array<f32>;               // [features, CLASSES] row-major
@group(0) @binding(4) var<storage, read> b: array<f32>;               // [CLASSES]
@group(0) @binding(5) var<storage, read_write> dlogits: array<f32>;   // [rows, CLASSES]
@group(0) @binding(6) var<storage, read_write> sample_loss: array<f32>; // [count] by epoch position
@group(0) @binding(7) var<storage, read_write> sample_hit: array<u32>;  // [count] by epoch position

// Softmax regression on Fashion-MNIST has 10 classes; a fixed count lets the per-row arrays live in registers.
const CLASSES: u32 = 10u;
// 0: d2l 3.6's -log(max(p[y], FLT_MIN)) (the scratch model); 1: log-sum-exp form (CrossEntropyLoss, concise).
override STABLE_LOSS: bool = true;
override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= step.rows) {
    return;
  }
  let position = step.row0 + r;
  let sample = order[position];
  let words = step.features / 4u;
  var z: array<f32, CLASSES>;
  for (var n = 0u; n < CLASSES; n++) {
    z[n] = 0.0;
  }
  let base = sample * words;
  for (var word = 0u; word < words; word++) {
    let packed = images[base + word];
    for (var i = 0u; i < 4u; i++) {
      let pixel = f32((packed >> (8u * i)) & 0xffu);
      let k = word * 4u + i;
      for (var n = 0u; n < CLASSES; n++) {
        z[n] += pixel * w[k * CLASSES + n];
      }
    }
  }
  for (var n = 0u; n < CLASSES; n++) {
    z[n] = z[n] / 255.0 + b[n];
  }
  var m = z[0];
  var best = 0u;
  for (var n = 1u; n < CLASSES; n++) {
    if (z[n] > m) {
      m = z[n];
      best = n;
    }
  }
  var total = 0.0;
  for (var n = 0u; n < CLASSES; n++) {
    total += exp(z[n] - m);
  }
  let y = labels[sample];
  let lse = m + log(total);
  var loss: f32;
  if (STABLE_LOSS) {
    loss = lse - z[y];
  } else {
    loss = -log(max(exp(z[y] - m) / total, 1.17549435e-38));
  }
  let inv_rows = 1.0 / f32(step.rows);
  for (var n = 0u; n < CLASSES; n++) {
    let onehot = select(0.0, 1.0, n == y);
    dlogits[r * CLASSES + n] = (exp(z[n] - m) / total - onehot) * inv_rows;
  }
  sample_loss[position] = loss;
  sample_hit[position] = select(0u, 1u, best == y);
}
