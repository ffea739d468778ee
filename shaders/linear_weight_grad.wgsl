// A dense layer's weight gradient, register-tiled: dW = xᵀ · dy, summed over the minibatch's rows.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override K: u32; // inputs per row, fixed when the kernel is created
override N: u32; // outputs per row, fixed when the kernel is created

@group(0) @binding(0) var<storage, read> x: array<f32>;          // [rows, K] the layer's input
@group(0) @binding(1) var<storage, read> dy: array<f32>;         // [rows, N] ∂l/∂(layer output)
@group(0) @binding(2) var<storage, read_write> dw: array<f32>;   // [K, N] row-major, like W

override WG: u32 = 64;
// TK rows x TC columns of dW per invocation: TK + TC loads for TK * TC multiply-adds per minibatch row
// (MLP_TILES in src/gpu/tuning.ts).
override TK: u32 = 8;
override TC: u32 = 4;
const MAX_TK: u32 = 16u;
const MAX_TC: u32 = 8u;

// Invocation i: column block i % col_blocks, k block i / col_blocks.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let col_blocks = (N + TC - 1u) / TC;
  let k0 = (gid.x / col_blocks) * TK;
  if (k0 >= K) {
    return;
  }
  let n0 = (gid.x % col_blocks) * TC;
  var xi: array<u32, MAX_TK>;
  for (var i = 0u; i < TK; i++) {
    xi[i] = min(k0 + i, K - 1u);
  }
  var di: array<u32, MAX_TC>;
  for (var c = 0u; c < TC; c++) {
    di[c] = min(n0 + c, N - 1u);
  }
  var acc: array<array<f32, MAX_TC>, MAX_TK>;
  for (var r = 0u; r < step.rows; r++) {
    var d: array<f32, MAX_TC>;
    for (var c = 0u; c < TC; c++) {
      d[c] = dy[r * N + di[c]];
    }
    for (var i = 0u; i < TK; i++) {
      let xv = x[r * K + xi[i]];
      for (var c = 0u; c < TC; c++) {
        acc[i][c] += xv * d[c];
      }
    }
  }
  for (var i = 0u; i < TK; i++) {
    let k = k0 + i;
    for (var c = 0u; c < TC; c++) {
      let n = n0 + c;
      if (k < K && n < N) {
        dw[k * N + n] = acc[i][c];
      }
    }
  }
}
