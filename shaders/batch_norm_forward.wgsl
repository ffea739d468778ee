// BatchNorm's normalisation: y = weight * (x - mean) * invstd + bias per channel. In training (TRAINING 1) mean and
// `spread` are the step's statistics (batch_norm_statistics: spread = 1/sqrt(var + EPS)); in evaluation (TRAINING 0)
// they are the running mean and running variance (spread = var, inverted here), as model.eval() does in PyTorch.
// One invocation per value, on a 2-D grid so that any tensor fits (kernels/kernel.ts, spreadGrid).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C: u32;   // channels
override HW: u32;  // pixels per channel (1 for BatchNorm1d)
override EPS: f32 = 1e-5;
override TRAINING: u32 = 1u;

@group(0) @binding(0) var<storage, read> x: array<f32>;            // [rows, C, HW]
@group(0) @binding(1) var<storage, read> weight: array<f32>;       // [C] scale (gamma)
@group(0) @binding(2) var<storage, read> bias: array<f32>;         // [C] shift (beta)
@group(0) @binding(3) var<storage, read> mean: array<f32>;         // [C]
@group(0) @binding(4) var<storage, read> spread: array<f32>;       // [C] invstd (training) or running variance (evaluation)
@group(0) @binding(5) var<storage, read_write> y: array<f32>;      // [rows, C, HW]

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * WG);
  if (i >= step.rows * C * HW) {
    return;
  }
  let c = (i / HW) % C;
  var s = spread[c];
  if (TRAINING == 0u) {
    s = inverseSqrt(s + EPS);
  }
  y[i] = weight[c] * (x[i] - mean[c]) * s + bias[c];
}
