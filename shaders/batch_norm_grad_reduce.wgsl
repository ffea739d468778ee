// BatchNorm's parameter gradients, per channel over the step's rows and pixels (training statistics):
//   dbias[c] = sum(dy),  dweight[c] = sum(dy * xhat),  xhat = (x - mean) * invstd
// Both sums are also what batch_norm_input_grad needs. One workgroup per channel, a tree reduction.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C: u32;   // channels
override HW: u32;  // pixels per channel (1 for BatchNorm1d)

@group(0) @binding(0) var<storage, read> x: array<f32>;              // [rows, C, HW] the forward's input
@group(0) @binding(1) var<storage, read> dy: array<f32>;             // [rows, C, HW]
@group(0) @binding(2) var<storage, read> mean: array<f32>;           // [C] the step's statistics
@group(0) @binding(3) var<storage, read> invstd: array<f32>;         // [C]
@group(0) @binding(4) var<storage, read_write> dweight: array<f32>;  // [C]
@group(0) @binding(5) var<storage, read_write> dbias: array<f32>;    // [C]

const WG: u32 = 256;
var<workgroup> sums: array<vec2f, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  let n = step.rows * HW;
  let m = mean[c];
  let s = invstd[c];
  var acc = vec2f(0.0);
  for (var i = lid; i < n; i += WG) {
    let at = ((i / HW) * C + c) * HW + i % HW;
    let g = dy[at];
    acc += vec2f(g, g * (x[at] - m) * s);
  }
  sums[lid] = acc;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) {
      sums[lid] += sums[lid + k];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    dbias[c] = sums[0].x;
    dweight[c] = sums[0].y;
  }
}
