// The hot path's first kernel: one minibatch step's forward and loss side, fused into one dispatch.
// Per row r of the step (sample s = order[row0 + r]):
//   x = images[s] / 255 (read as u8 straight from the resident dataset, no gathered copy)
//   z = x·W + b, p = softmax(z), loss = cross-entropy, dlogits[r] = (p - onehot(y)) / rows, hit = argmax(z) == y
// Loss and hit are stored per position of the epoch and summed once at the epoch's end (sum_epoch_totals),
// so no step needs a cross-workgroup reduction. Same math as the separate kernels, in the same f32 precision;
// the order of the pixel sum differs (bytes are summed first, divided by 255 once at the end).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override K: u32; // features per row (the layer's inputs), fixed when the kernel is created

// Images are read 16 pixels (one vec4u) at a time: lavapipe loads storage per invocation with a branch per
// lane, so one vec4 load instead of four u32 loads made this kernel ~35% faster there. features % 16 == 0.
@group(0) @binding(0) var<storage, read> images: array<vec4u>;        // [count, features / 16] u8 x16 packed
@group(0) @binding(1) var<storage, read> labels: array<u32>;          // [count]
@group(0) @binding(2) var<storage, read> order: array<u32>;           // [count] the epoch's shuffle
// W: [features, CLASSES] f32 row-major, read as vec4s from a uniform binding (64 KiB, so features <= 1638).
// Every row of the minibatch reads the same W at the same time. Binding it as a uniform made this kernel 3x
// faster on lavapipe than as storage, although Mesa 25.0 still loads it per invocation (see docs/benchmark-history.md).
@group(0) @binding(3) var<uniform> w: array<vec4f, 4096>;               // [features, CLASSES] row-major
@group(0) @binding(4) var<storage, read> b: array<f32>;               // [CLASSES]
@group(0) @binding(5) var<storage, read_write> dlogits: array<f32>;   // [rows, CLASSES]
@group(0) @binding(6) var<storage, read_write> sample_loss: array<f32>; // [count] by epoch position
@group(0) @binding(7) var<storage, read_write> sample_hit: array<u32>;  // [count] by epoch position

// Softmax regression on Fashion-MNIST has 10 classes; a fixed count lets the per-row arrays live in registers.
const CLASSES: u32 = 10u;
// 0: d2l 3.6's -log(max(p[y], FLT_MIN)) (the scratch model); 1: log-sum-exp form (CrossEntropyLoss, concise).
override STABLE_LOSS: bool = true;
override WG: u32 = 64;

// Softmax, loss, dlogits and hit for one row whose logits (before / 255 and + b) are `acc`.
fn finish_row(r: u32, position: u32, sample: u32, acc: array<f32, CLASSES>) {
  var z = acc;
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

// One row's 10 logits, accumulating.
struct Acc {
  z0: vec4f,
  z1: vec4f,
  z2: vec2f,
}

// One packed word (4 pixels) of a row, added into its logits. W viewed as vec4: the 4 pixels of word k feed
// rows 4k .. 4k+3 of W, i.e. its floats 40k .. 40k+39 = vec4s 10k .. 10k+9, passed as v0 .. v9.
fn accumulate(acc: ptr<function, Acc>, packed: u32, v0: vec4f, v1: vec4f, v2: vec4f, v3: vec4f, v4: vec4f, v5: vec4f, v6: vec4f, v7: vec4f, v8: vec4f, v9: vec4f) {
  let p0 = f32(packed & 0xffu);
  let p1 = f32((packed >> 8u) & 0xffu);
  let p2 = f32((packed >> 16u) & 0xffu);
  let p3 = f32(packed >> 24u);
  (*acc).z0 += p0 * v0 + p1 * vec4f(v2.zw, v3.xy) + p2 * v5 + p3 * vec4f(v7.zw, v8.xy);
  (*acc).z1 += p0 * v1 + p1 * vec4f(v3.zw, v4.xy) + p2 * v6 + p3 * vec4f(v8.zw, v9.xy);
  (*acc).z2 += p0 * v2.xy + p1 * v4.zw + p2 * v7.xy + p3 * v9.zw;
}

fn logits(a: Acc) -> array<f32, CLASSES> {
  return array<f32, CLASSES>(a.z0.x, a.z0.y, a.z0.z, a.z0.w, a.z1.x, a.z1.y, a.z1.z, a.z1.w, a.z2.x, a.z2.y);
}

// Rows per invocation (1 to 8): each W value loaded feeds this many rows. On lavapipe W's loads are per
// invocation (see docs/benchmark-history.md), so 8 rows per load halved this kernel's time there; a GPU wants more, smaller
// invocations. Set by src/train/step_recorders.ts per kind of adapter. The row loops have a constant trip
// count once ROWS is fixed, so they unroll and the arrays below stay in registers.
override ROWS: u32;
const MAX_ROWS: u32 = 8u;

// Invocation i does rows i, i + q, i + 2q, ... (q = ceil(rows / ROWS)), 16 pixels per iteration.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let q = (step.rows + ROWS - 1u) / ROWS;
  if (gid.x >= q) {
    return;
  }
  let last = step.rows - 1u;
  let chunks = K / 16u;
  var sample: array<u32, MAX_ROWS>;
  var base: array<u32, MAX_ROWS>;
  var acc: array<Acc, MAX_ROWS>;
  for (var j = 0u; j < ROWS; j++) {
    sample[j] = order[step.row0 + min(gid.x + j * q, last)];
    base[j] = sample[j] * chunks;
    acc[j] = Acc(vec4f(0.0), vec4f(0.0), vec2f(0.0));
  }
  for (var chunk = 0u; chunk < chunks; chunk++) {
    var px: array<vec4u, MAX_ROWS>;
    for (var j = 0u; j < ROWS; j++) {
      px[j] = images[base[j] + chunk];
    }
    for (var s = 0u; s < 4u; s++) {
      let v = (chunk * 4u + s) * 10u;
      let v0 = w[v];
      let v1 = w[v + 1u];
      let v2 = w[v + 2u];
      let v3 = w[v + 3u];
      let v4 = w[v + 4u];
      let v5 = w[v + 5u];
      let v6 = w[v + 6u];
      let v7 = w[v + 7u];
      let v8 = w[v + 8u];
      let v9 = w[v + 9u];
      for (var j = 0u; j < ROWS; j++) {
        accumulate(&acc[j], px[j][s], v0, v1, v2, v3, v4, v5, v6, v7, v8, v9);
      }
    }
  }
  for (var j = 0u; j < ROWS; j++) {
    let r = gid.x + j * q;
    if (r < step.rows) {
      finish_row(r, step.row0 + r, sample[j], logits(acc[j]));
    }
  }
}
