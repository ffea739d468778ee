// BatchNorm in training (PyTorch's BatchNorm1d/2d, d2l 7.5): each channel's mean and biased variance over the
// step's rows and pixels, kept for the forward and backward kernels as mean and 1/sqrt(var + EPS), and the running
// statistics moved towards them by MOMENTUM with the unbiased variance, as PyTorch does:
//   running = (1 - MOMENTUM) * running + MOMENTUM * statistic
// One workgroup per channel, a tree reduction in workgroup memory; two passes over the channel (mean, then the
// squared deviations), which keeps the variance accurate where the mean is large.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C: u32;   // channels (features of BatchNorm1d)
override HW: u32;  // pixels per channel (1 for BatchNorm1d)
override EPS: f32 = 1e-5;
override MOMENTUM: f32 = 0.1;

@group(0) @binding(0) var<storage, read> x: array<f32>;                  // [rows, C, HW]
@group(0) @binding(1) var<storage, read_write> mean: array<f32>;         // [C] this step's mean
@group(0) @binding(2) var<storage, read_write> invstd: array<f32>;       // [C] this step's 1/sqrt(var + EPS)
@group(0) @binding(3) var<storage, read_write> running_mean: array<f32>; // [C]
@group(0) @binding(4) var<storage, read_write> running_var: array<f32>;  // [C]

const WG: u32 = 256;
var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  let n = step.rows * HW;
  var s = 0.0;
  for (var i = lid; i < n; i += WG) {
    s += x[((i / HW) * C + c) * HW + i % HW];
  }
  partial[lid] = s;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) {
      partial[lid] += partial[lid + k];
    }
    workgroupBarrier();
  }
  let m = partial[0] / f32(n);
  workgroupBarrier();
  var q = 0.0;
  for (var i = lid; i < n; i += WG) {
    let d = x[((i / HW) * C + c) * HW + i % HW] - m;
    q += d * d;
  }
  partial[lid] = q;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) {
      partial[lid] += partial[lid + k];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let v = partial[0] / f32(n);
    mean[c] = m;
    invstd[c] = inverseSqrt(v + EPS);
    // PyTorch's running variance is unbiased (n - 1); one value per channel has none, and keeps its variance.
    let unbiased = select(v, partial[0] / f32(n - 1u), n > 1u);
    running_mean[c] = (1.0 - MOMENTUM) * running_mean[c] + MOMENTUM * m;
    running_var[c] = (1.0 - MOMENTUM) * running_var[c] + MOMENTUM * unbiased;
  }
}
