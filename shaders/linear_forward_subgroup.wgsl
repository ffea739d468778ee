enable subgroups;
// linear_forward.wgsl's fast path where the adapter has subgroups of a known size SG, K % 4 == 0 and
// N % 4 == 0: out = act(x·W + b). As linear_forward_u8_subgroup.wgsl: lanes span column quads, lane i of a
// subgroup loads row i's vec4 of x and the others take it by subgroupShuffle.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override K: u32; // inputs per row, a multiple of 4 (x is read as vec4)
override N: u32; // outputs per row, a multiple of 4 (W and out as vec4)

@group(0) @binding(0) var<storage, read> x: array<vec4f>;         // [rows, K / 4] row-major
@group(0) @binding(1) var<storage, read> w: array<vec4f>;         // [K, N / 4] row-major
@group(0) @binding(2) var<storage, read> b: array<vec4f>;         // [N / 4]
@group(0) @binding(3) var<storage, read_write> out: array<vec4f>; // [rows, N / 4] row-major

override WG: u32 = 64;  // a multiple of SG
override SG: u32 = 8;   // the adapter's subgroup size (min == max), set at creation
override RG: u32 = 2;   // row groups: RG * SG rows per workgroup
override RELU: bool = false;
override SIGMOID: bool = false; // 1 / (1 + e^-v), as the conv kernels compute it (LeNet's dense layers)
const MAX_ROWS: u32 = 32u;
const MAX_RG: u32 = 4u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lane: u32, @builtin(subgroup_invocation_id) sl: u32) {
  let n4 = N / 4u;
  let k4 = K / 4u;
  let quad = wid.x * WG + lane;
  let q = min(quad, n4 - 1u);
  let rows = RG * SG;
  let r0 = wid.y * rows;
  var base: array<u32, MAX_RG>;
  for (var g = 0u; g < RG; g++) {
    base[g] = min(r0 + g * SG + sl, step.rows - 1u) * k4;
  }
  var acc: array<vec4f, MAX_ROWS>;
  for (var kq = 0u; kq < k4; kq++) {
    let k = kq * 4u * n4 + q;
    let w0 = w[k];
    let w1 = w[k + n4];
    let w2 = w[k + 2u * n4];
    let w3 = w[k + 3u * n4];
    for (var g = 0u; g < RG; g++) {
      let mine = x[base[g] + kq];
      for (var j = 0u; j < SG; j++) {
        let v = subgroupShuffle(mine, j);
        acc[g * SG + j] += v.x * w0 + v.y * w1 + v.z * w2 + v.w * w3;
      }
    }
  }
  if (quad < n4) {
    let bias = b[q];
    for (var j = 0u; j < rows; j++) {
      let r = r0 + j;
      if (r < step.rows) {
        var v = acc[j] + bias;
        if (RELU) {
          v = max(v, vec4f(0.0));
        }
        if (SIGMOID) {
          v = 1.0 / (1.0 + exp(-v));
        }
        let e = r * N + q * 4u;
        out[r * n4 + q] = vec4f(dropout_apply(v.x, e), dropout_apply(v.y, e + 1u), dropout_apply(v.z, e + 2u), dropout_apply(v.w, e + 3u));
      }
    }
  }
}
