enable subgroups;
// linear_weight_grad.wgsl's fast path where the adapter has subgroups of a known size SG, K % 4 == 0 and
// N % 4 == 0: dW = xᵀ · dy. As linear_weight_grad_u8_subgroup.wgsl, with x read as TW vec4s (4 * TW rows of
// dW per workgroup).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override K: u32; // inputs per row, a multiple of 4 (x as vec4)
override N: u32; // outputs per row, a multiple of 4 (dy and dW as vec4)

@group(0) @binding(0) var<storage, read> x: array<vec4f>;         // [rows, K / 4] the layer's input
@group(0) @binding(1) var<storage, read> dy: array<vec4f>;        // [rows, N / 4] ∂l/∂(layer output)
@group(0) @binding(2) var<storage, read_write> dw: array<vec4f>;  // [K, N / 4] row-major, like W

override WG: u32 = 64; // a multiple of SG
override SG: u32 = 8;  // the adapter's subgroup size (min == max), set at creation
override TW: u32 = 4;  // vec4s of x (4 rows of dW each) per workgroup
const MAX_TW: u32 = 4u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lane: u32, @builtin(subgroup_invocation_id) sl: u32) {
  let n4 = N / 4u;
  let k4 = K / 4u;
  let quad = wid.x * WG + lane;
  let q = min(quad, n4 - 1u);
  let w0 = wid.y * TW;
  var acc: array<vec4f, MAX_TW * 4u>;
  for (var r0 = 0u; r0 < step.rows; r0 += SG) {
    let base = min(r0 + sl, step.rows - 1u) * k4;
    var mine: array<vec4f, MAX_TW>;
    for (var i = 0u; i < TW; i++) {
      mine[i] = x[base + min(w0 + i, k4 - 1u)];
    }
    for (var j = 0u; j < SG; j++) {
      let r = min(r0 + j, step.rows - 1u);
      let d = select(vec4f(0.0), dy[r * n4 + q], r0 + j < step.rows);
      for (var i = 0u; i < TW; i++) {
        let v = subgroupShuffle(mine[i], j);
        acc[i * 4u] += v.x * d;
        acc[i * 4u + 1u] += v.y * d;
        acc[i * 4u + 2u] += v.z * d;
        acc[i * 4u + 3u] += v.w * d;
      }
    }
  }
  if (quad < n4) {
    for (var i = 0u; i < TW; i++) {
      for (var s = 0u; s < 4u; s++) {
        let k = (w0 + i) * 4u + s;
        if (k < K) {
          dw[k * n4 + q] = acc[i * 4u + s];
        }
      }
    }
  }
}
