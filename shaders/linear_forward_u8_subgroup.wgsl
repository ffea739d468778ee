enable subgroups;
// linear_forward_u8.wgsl's fast path where the adapter has subgroups of a known size SG and N % 4 == 0:
//   out = act(images[order[row0 + r]] / 255 · W + b), y = the step's labels.
// Lanes span column quads (one vec4 of W per k); a workgroup's rows are the same for all its lanes. Instead of
// every lane loading the same image words, lane i of a subgroup loads row i's word and the others take it by
// subgroupShuffle: on lavapipe (SIMD lanes that issue each load per lane) this made the kernel ~4x faster
// (docs/benchmark-history.md, "MLP").
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override K: u32; // pixels per image, a multiple of 4 (the dataset packs 4 per word)
override N: u32; // outputs per row, a multiple of 4 (W and out are read and written as vec4)

@group(0) @binding(0) var<storage, read> images: array<u32>;     // [count, K / 4] u8 pixels packed 4 per word
@group(0) @binding(1) var<storage, read> labels: array<u32>;     // [count]
@group(0) @binding(2) var<storage, read> order: array<u32>;      // [count] sample index at each epoch position
@group(0) @binding(3) var<storage, read> w: array<vec4f>;        // [K, N / 4] row-major
@group(0) @binding(4) var<storage, read> b: array<vec4f>;        // [N / 4]
@group(0) @binding(5) var<storage, read_write> out: array<vec4f>; // [rows, N / 4] row-major
@group(0) @binding(6) var<storage, read_write> y: array<u32>;    // [rows] labels of the step's samples

override WG: u32 = 64;  // a multiple of SG
override SG: u32 = 8;   // the adapter's subgroup size (min == max), set at creation
override RG: u32 = 2;   // row groups: RG * SG rows per workgroup
override RELU: bool = false;
const MAX_ROWS: u32 = 32u;
const MAX_RG: u32 = 4u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lane: u32, @builtin(subgroup_invocation_id) sl: u32) {
  let n4 = N / 4u;
  let quad = wid.x * WG + lane;
  let q = min(quad, n4 - 1u); // lanes past the last quad compute a copy and store nothing
  let rows = RG * SG;
  let r0 = wid.y * rows;
  let words = K / 4u;
  // No early return: every lane of a subgroup takes part in the shuffles.
  var base: array<u32, MAX_RG>;
  for (var g = 0u; g < RG; g++) {
    base[g] = order[step.row0 + min(r0 + g * SG + sl, step.rows - 1u)] * words;
  }
  var acc: array<vec4f, MAX_ROWS>;
  for (var word = 0u; word < words; word++) {
    let k = word * 4u * n4 + q;
    let w0 = w[k];
    let w1 = w[k + n4];
    let w2 = w[k + 2u * n4];
    let w3 = w[k + 3u * n4];
    for (var g = 0u; g < RG; g++) {
      let mine = images[base[g] + word];
      for (var j = 0u; j < SG; j++) {
        let v = vec4f(unpack4xU8(subgroupShuffle(mine, j)));
        acc[g * SG + j] += v.x * w0 + v.y * w1 + v.z * w2 + v.w * w3;
      }
    }
  }
  if (quad == 0u) {
    for (var j = 0u; j < rows; j++) {
      let r = r0 + j;
      if (r < step.rows) {
        y[r] = labels[order[step.row0 + r]];
      }
    }
  }
  if (quad < n4) {
    let bias = b[q];
    for (var j = 0u; j < rows; j++) {
      let r = r0 + j;
      if (r < step.rows) {
        var v = acc[j] / 255.0 + bias;
        if (RELU) {
          v = max(v, vec4f(0.0));
        }
        let e = r * N + q * 4u;
        out[r * n4 + q] = vec4f(dropout_apply(v.x, e), dropout_apply(v.y, e + 1u), dropout_apply(v.z, e + 2u), dropout_apply(v.w, e + 3u));
      }
    }
  }
}
