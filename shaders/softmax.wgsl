// Row-wise softmax, numerically stable: exp(z - max(z)) / sum(exp(z - max(z))), so ±1e4 logits neither
// overflow nor become NaN (d2l 3.6 writes exp(z) / sum(exp(z)), which overflows for z > 88).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override N: u32; // outputs per row (the classes, for a last layer), fixed when the kernel is created

@group(0) @binding(0) var<storage, read> logits: array<f32>;       // [rows, N]
@group(0) @binding(1) var<storage, read_write> probs: array<f32>;  // [rows, N]

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= step.rows) {
    return;
  }
  let base = r * N;
  var m = logits[base];
  for (var n = 1u; n < N; n++) {
    m = max(m, logits[base + n]);
  }
  var total = 0.0;
  for (var n = 0u; n < N; n++) {
    let e = exp(logits[base + n] - m);
    probs[base + n] = e;
    total += e;
  }
  // total >= 1 (the max contributes exp(0)), so the division is always safe.
  let inv = 1.0 / total;
  for (var n = 0u; n < N; n++) {
    probs[base + n] *= inv;
  }
}
