// A dense layer's forward pass over one minibatch, register-tiled: out = act(x·W + b), act = ReLU (RELU) or
// sigmoid (SIGMOID) when one follows the layer, then dropout in training (prelude/dropout_mask.wgsl; off by default).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override K: u32; // inputs per row, fixed when the kernel is created
override N: u32; // outputs per row, fixed when the kernel is created

@group(0) @binding(0) var<storage, read> x: array<f32>;          // [rows, K] row-major
@group(0) @binding(1) var<storage, read> w: array<f32>;          // [K, N] row-major
@group(0) @binding(2) var<storage, read> b: array<f32>;          // [N]
@group(0) @binding(3) var<storage, read_write> out: array<f32>;  // [rows, N] row-major

override WG: u32 = 64;
override RELU: bool = false;
override SIGMOID: bool = false; // 1 / (1 + e^-v), as the conv kernels compute it (LeNet's dense layers)
// Each invocation computes a TR x TC block of out (rows x columns). On lavapipe every storage load is issued
// per invocation, so loads per multiply-add decide the speed: a block does TR + TC loads for TR * TC
// multiply-adds per k. Sizes per kind of adapter: src/gpu/tuning.ts (MLP_TILES). The block loops have a
// constant trip count once TR and TC are fixed, so they unroll and the block stays in registers.
override TR: u32 = 8;
override TC: u32 = 4;
const MAX_TR: u32 = 16u;
const MAX_TC: u32 = 8u;

// Invocation i: column block i % col_blocks, row block i / col_blocks, so neighbours share rows of x.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let col_blocks = (N + TC - 1u) / TC;
  let r0 = (gid.x / col_blocks) * TR;
  if (r0 >= step.rows) {
    return;
  }
  let n0 = (gid.x % col_blocks) * TC;
  // Rows and columns past the edge read the last valid one (no branch in the loop); their results are dropped.
  var xi: array<u32, MAX_TR>;
  for (var j = 0u; j < TR; j++) {
    xi[j] = min(r0 + j, step.rows - 1u) * K;
  }
  var wi: array<u32, MAX_TC>;
  for (var c = 0u; c < TC; c++) {
    wi[c] = min(n0 + c, N - 1u);
  }
  var acc: array<array<f32, MAX_TC>, MAX_TR>;
  for (var k = 0u; k < K; k++) {
    var wk: array<f32, MAX_TC>;
    for (var c = 0u; c < TC; c++) {
      wk[c] = w[k * N + wi[c]];
    }
    for (var j = 0u; j < TR; j++) {
      let xv = x[xi[j] + k];
      for (var c = 0u; c < TC; c++) {
        acc[j][c] += xv * wk[c];
      }
    }
  }
  for (var j = 0u; j < TR; j++) {
    let r = r0 + j;
    for (var c = 0u; c < TC; c++) {
      let n = n0 + c;
      if (r < step.rows && n < N) {
        var v = acc[j][c] + b[n];
        if (RELU) {
          v = max(v, 0.0);
        }
        if (SIGMOID) {
          v = 1.0 / (1.0 + exp(-v));
        }
        out[r * N + n] = dropout_apply(v, r * N + n);
      }
    }
  }
}
