enable subgroups;
// linear_weight_grad_u8.wgsl's fast path where the adapter has subgroups of a known size SG and N % 4 == 0:
// dW = xᵀ · dy with x = images[order[row0 + r]] / 255. Lanes span column quads of dW (one vec4 of dy per row);
// a workgroup's TW words (4 * TW rows of dW) are the same for all its lanes. Rows go SG at a time: lane i loads
// row i's words and the others take them by subgroupShuffle.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override K: u32; // pixels per image, a multiple of 4 (the dataset packs 4 per word)
override N: u32; // outputs per row, a multiple of 4 (dy and dW as vec4)

@group(0) @binding(0) var<storage, read> images: array<u32>;      // [count, K / 4] u8 pixels packed 4 per word
@group(0) @binding(1) var<storage, read> order: array<u32>;       // [count] sample index at each epoch position
@group(0) @binding(2) var<storage, read> dy: array<vec4f>;        // [rows, N / 4] ∂l/∂(layer output)
@group(0) @binding(3) var<storage, read_write> dw: array<vec4f>;  // [K, N / 4] row-major, like W

override WG: u32 = 64; // a multiple of SG
override SG: u32 = 8;  // the adapter's subgroup size (min == max), set at creation
override TW: u32 = 4;  // words (4 pixels each) per workgroup
const MAX_TW: u32 = 4u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lane: u32, @builtin(subgroup_invocation_id) sl: u32) {
  let n4 = N / 4u;
  let words = K / 4u;
  let quad = wid.x * WG + lane;
  let q = min(quad, n4 - 1u);
  let w0 = wid.y * TW;
  var acc: array<vec4f, MAX_TW * 4u>;
  for (var r0 = 0u; r0 < step.rows; r0 += SG) {
    let base = order[step.row0 + min(r0 + sl, step.rows - 1u)] * words;
    var mine: array<u32, MAX_TW>;
    for (var i = 0u; i < TW; i++) {
      mine[i] = images[base + min(w0 + i, words - 1u)];
    }
    for (var j = 0u; j < SG; j++) {
      // Rows past the step are clamped to its last row and weighted 0 (shuffles need every lane, so no break).
      let r = min(r0 + j, step.rows - 1u);
      let d = select(vec4f(0.0), dy[r * n4 + q], r0 + j < step.rows);
      for (var i = 0u; i < TW; i++) {
        let v = vec4f(unpack4xU8(subgroupShuffle(mine[i], j)));
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
          dw[k * n4 + q] = acc[i * 4u + s] / 255.0;
        }
      }
    }
  }
}
