// PyTorch's CrossEntropyLoss on logits, fused and numerically stable:
//   lse[r] = max + log(sum(exp(z - max))),  loss[r] = lse[r] - z[r, y[r]]  (exact for ±1e4 logits, never Inf)
// and, when WRITE_GRAD, its gradient for the mean loss: dlogits[r, n] = (exp(z[r, n] - lse[r]) - [n == y[r]]) / batch
// (batch: the whole minibatch's rows, so that the gradients of a step run in chunks sum to the whole batch's).
// The minibatch's loss sum is added to a running total that stays on the GPU for the epoch.
// `step` (row0, rows of this minibatch or chunk, batch): shaders/prelude/step.wgsl, prepended by the loader.
override N: u32; // outputs per row (the classes, for a last layer), fixed when the kernel is created

@group(0) @binding(0) var<storage, read> logits: array<f32>;          // [rows, N]
@group(0) @binding(1) var<storage, read> y: array<u32>;               // [rows]
@group(0) @binding(2) var<storage, read_write> loss: array<f32>;      // [rows] per-sample loss
@group(0) @binding(3) var<storage, read_write> loss_sum: array<f32>;  // [1] running sum over the epoch
@group(0) @binding(4) var<storage, read_write> dlogits: array<f32>;   // [rows, N]

override WRITE_GRAD: bool = true;
const WG: u32 = 256;
var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  let inv_batch = 1.0 / f32(step.batch);
  for (var r = lid; r < step.rows; r += WG) {
    let base = r * N;
    var m = logits[base];
    for (var n = 1u; n < N; n++) {
      m = max(m, logits[base + n]);
    }
    var total = 0.0;
    for (var n = 0u; n < N; n++) {
      total += exp(logits[base + n] - m);
    }
    let lse = m + log(total);
    let l = lse - logits[base + y[r]];
    loss[r] = l;
    acc += l;
    if (WRITE_GRAD) {
      for (var n = 0u; n < N; n++) {
        let onehot = select(0.0, 1.0, n == y[r]);
        dlogits[base + n] = (exp(logits[base + n] - lse) - onehot) * inv_batch;
      }
    }
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
