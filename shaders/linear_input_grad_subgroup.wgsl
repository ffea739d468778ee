enable subgroups;
// linear_input_grad.wgsl's fast path where the adapter has subgroups of a known size SG and N % 4 == 0:
//   dx[r, k] = (Σ_n dy[r, n] · W[k, n]) · [h[r, k] > 0] · dropout mask / (1 - p)   (or · h(1 - h): SIGMOID_SLOPE)
// Lanes span k (TC values each, WG apart), reading W[k, n..n+3] as a vec4; a workgroup's rows are the same for
// all its lanes, and lane i of a subgroup loads row i's vec4 of dy for the others (subgroupShuffle).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override K: u32; // the layer's inputs per row (columns of dx), any size
override N: u32; // the layer's outputs per row, a multiple of 4 (dy and W rows as vec4)

@group(0) @binding(0) var<storage, read> dy: array<vec4f>;       // [rows, N / 4] ∂l/∂(layer output)
@group(0) @binding(1) var<storage, read> w: array<vec4f>;        // [K, N / 4] row-major
@group(0) @binding(2) var<storage, read> h: array<f32>;          // [rows, K] the layer's input (for the ReLU mask)
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;   // [rows, K]

override WG: u32 = 64;  // a multiple of SG
override SG: u32 = 8;   // the adapter's subgroup size (min == max), set at creation
override RG: u32 = 2;   // row groups: RG * SG rows per workgroup
override TC: u32 = 2;   // values of k per lane
override RELU_MASK: bool = true;
override SIGMOID_SLOPE: bool = false;
const MAX_ROWS: u32 = 32u;
const MAX_RG: u32 = 4u;
const MAX_TC: u32 = 4u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lane: u32, @builtin(subgroup_invocation_id) sl: u32) {
  let n4 = N / 4u;
  let rows = RG * SG;
  let r0 = wid.y * rows;
  let k0 = wid.x * WG * TC + lane;
  var wi: array<u32, MAX_TC>;
  for (var c = 0u; c < TC; c++) {
    wi[c] = min(k0 + c * WG, K - 1u) * n4;
  }
  var base: array<u32, MAX_RG>;
  for (var g = 0u; g < RG; g++) {
    base[g] = min(r0 + g * SG + sl, step.rows - 1u) * n4;
  }
  var acc: array<array<f32, MAX_TC>, MAX_ROWS>;
  for (var nq = 0u; nq < n4; nq++) {
    var wv: array<vec4f, MAX_TC>;
    for (var c = 0u; c < TC; c++) {
      wv[c] = w[wi[c] + nq];
    }
    for (var g = 0u; g < RG; g++) {
      let mine = dy[base[g] + nq];
      for (var j = 0u; j < SG; j++) {
        let d = subgroupShuffle(mine, j);
        for (var c = 0u; c < TC; c++) {
          acc[g * SG + j][c] += dot(d, wv[c]);
        }
      }
    }
  }
  for (var j = 0u; j < rows; j++) {
    let r = r0 + j;
    for (var c = 0u; c < TC; c++) {
      let k = k0 + c * WG;
      if (r < step.rows && k < K) {
        let i = r * K + k;
        var v = acc[j][c];
        if (RELU_MASK) {
          v = select(0.0, v, h[i] > 0.0);
        }
        if (SIGMOID_SLOPE) {
          let a = h[i];
          v *= a * (1.0 - a);
        }
        dx[i] = dropout_apply(v, i);
      }
    }
  }
}
