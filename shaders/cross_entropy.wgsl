// Cross-entropy from probabilities, as d2l 3.6 writes it: loss[r] = -log(probs[r, y[r]]).
// Also adds the minibatch's sum to a running total that stays on the GPU for the whole epoch.
// A probability that underflowed to 0 is clamped to the smallest normal f32, so the loss is at most
// -log(1.1754944e-38) = 87.3365 instead of +Inf; the concise model's fused log-softmax loss needs no clamp.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override N: u32; // outputs per row (the classes, for a last layer), fixed when the kernel is created

@group(0) @binding(0) var<storage, read> probs: array<f32>;        // [rows, N]
@group(0) @binding(1) var<storage, read> y: array<u32>;            // [rows]
@group(0) @binding(2) var<storage, read_write> loss: array<f32>;   // [rows] per-sample loss
@group(0) @binding(3) var<storage, read_write> loss_sum: array<f32>; // [1] running sum over the epoch

const WG: u32 = 256;
var<workgroup> partial: array<f32, WG>;

// One workgroup: each invocation handles rows lid, lid + WG, ..., then a tree reduction gives the sum.
@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var r = lid; r < step.rows; r += WG) {
    let p = max(probs[r * N + y[r]], 1.17549435e-38);
    let l = -log(p);
    loss[r] = l;
    acc += l;
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      partial[lid] += partial[lid + s];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    loss_sum[0] += partial[0];
  }
}
