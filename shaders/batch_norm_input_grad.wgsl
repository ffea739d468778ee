// BatchNorm's input gradient in training, where the statistics depend on every input of the channel:
//   dx = weight * invstd / n * (n * dy - sum(dy) - xhat * sum(dy * xhat)),  n = rows * HW
// with the two sums from batch_norm_grad_reduce (dbias, dweight). One invocation per value, 2-D grid (kernels/kernel.ts, spreadGrid).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C: u32;   // channels
override HW: u32;  // pixels per channel (1 for BatchNorm1d)

@group(0) @binding(0) var<storage, read> x: array<f32>;           // [rows, C, HW]
@group(0) @binding(1) var<storage, read> dy: array<f32>;          // [rows, C, HW]
@group(0) @binding(2) var<storage, read> mean: array<f32>;        // [C]
@group(0) @binding(3) var<storage, read> invstd: array<f32>;      // [C]
@group(0) @binding(4) var<storage, read> weight: array<f32>;      // [C]
@group(0) @binding(5) var<storage, read> dweight: array<f32>;     // [C] sum(dy * xhat)
@group(0) @binding(6) var<storage, read> dbias: array<f32>;       // [C] sum(dy)
@group(0) @binding(7) var<storage, read_write> dx: array<f32>;    // [rows, C, HW]

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * WG);
  let n = step.rows * HW;
  if (i >= step.rows * C * HW) {
    return;
  }
  let c = (i / HW) % C;
  let s = invstd[c];
  let xhat = (x[i] - mean[c]) * s;
  dx[i] = weight[c] * s / f32(n) * (f32(n) * dy[i] - dbias[c] - xhat * dweight[c]);
}
