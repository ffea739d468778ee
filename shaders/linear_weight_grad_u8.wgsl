// The first dense layer's weight gradient, reading its input straight from the resident u8 dataset through
// the epoch's order (as linear_forward_u8.wgsl does): dW = xᵀ · dy with x = images[order[row0 + r]] / 255.
// Bytes times dy are summed first and divided by 255 once per element of dW.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override K: u32; // pixels per image, a multiple of 4 (the dataset packs 4 per word)
override N: u32; // outputs per row, fixed when the kernel is created

@group(0) @binding(0) var<storage, read> images: array<u32>;     // [count, K / 4] u8 pixels packed 4 per word
@group(0) @binding(1) var<storage, read> order: array<u32>;      // [count] sample index at each epoch position
@group(0) @binding(2) var<storage, read> dy: array<f32>;         // [rows, N] ∂l/∂(layer output)
@group(0) @binding(3) var<storage, read_write> dw: array<f32>;   // [K, N] row-major, like W

override WG: u32 = 64;
// TW words (4 * TW rows of dW) x TC columns per invocation: 1 + TW + TC loads for 4 * TW * TC multiply-adds
// per minibatch row (MLP_TILES in src/gpu/tuning.ts).
override TW: u32 = 2;
override TC: u32 = 4;
const MAX_TW: u32 = 4u;
const MAX_TC: u32 = 8u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let words = K / 4u;
  let col_blocks = (N + TC - 1u) / TC;
  let w0 = (gid.x / col_blocks) * TW;
  if (w0 >= words) {
    return;
  }
  let n0 = (gid.x % col_blocks) * TC;
  var wi: array<u32, MAX_TW>;
  for (var i = 0u; i < TW; i++) {
    wi[i] = min(w0 + i, words - 1u);
  }
  var di: array<u32, MAX_TC>;
  for (var c = 0u; c < TC; c++) {
    di[c] = min(n0 + c, N - 1u);
  }
  var acc: array<array<f32, MAX_TC>, MAX_TW * 4u>;
  for (var r = 0u; r < step.rows; r++) {
    let base = order[step.row0 + r] * words;
    var d: array<f32, MAX_TC>;
    for (var c = 0u; c < TC; c++) {
      d[c] = dy[r * N + di[c]];
    }
    for (var i = 0u; i < TW; i++) {
      let px = images[base + wi[i]];
      for (var s = 0u; s < 4u; s++) {
        let xv = f32((px >> (8u * s)) & 0xffu);
        for (var c = 0u; c < TC; c++) {
          acc[i * 4u + s][c] += xv * d[c];
        }
      }
    }
  }
  for (var i = 0u; i < TW; i++) {
    for (var s = 0u; s < 4u; s++) {
      let k = (w0 + i) * 4u + s;
      for (var c = 0u; c < TC; c++) {
        let n = n0 + c;
        if (k < K && n < N) {
          dw[k * N + n] = acc[i * 4u + s][c] / 255.0;
        }
      }
    }
  }
}
