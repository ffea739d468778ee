// A dense layer's input gradient, with the backward of the ReLU (or sigmoid) and dropout that produced its input
// fused in:
//   dx[r, k] = (Σ_n dy[r, n] · W[k, n]) · [h[r, k] > 0] · dropout mask / (1 - p)      (RELU_MASK)
//   dx[r, k] = (Σ_n dy[r, n] · W[k, n]) · h[r, k] · (1 - h[r, k])                       (SIGMOID_SLOPE)
// h is the layer's input as the forward pass wrote it (after the activation and dropout): ReLU's gradient is 1
// where it is positive, the sigmoid's is h(1 - h) from its output. The dropout mask is recomputed from the same hash as the forward's (prelude/dropout_mask.wgsl),
// not stored. The first layer has no input gradient: nothing below it learns.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override K: u32; // the layer's inputs per row (columns of dx), fixed when the kernel is created
override N: u32; // the layer's outputs per row (columns of dy), fixed when the kernel is created

@group(0) @binding(0) var<storage, read> dy: array<f32>;         // [rows, N] ∂l/∂(layer output)
@group(0) @binding(1) var<storage, read> w: array<f32>;          // [K, N] row-major
@group(0) @binding(2) var<storage, read> h: array<f32>;          // [rows, K] the layer's input (for the ReLU mask)
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;   // [rows, K] ∂l/∂(pre-activation below)

override WG: u32 = 64;
override RELU_MASK: bool = true;
override SIGMOID_SLOPE: bool = false; // LeNet's sigmoid layers (no dropout there)
// TR rows x TC columns of dx per invocation; TR + TC loads for TR * TC multiply-adds per n (MLP_TILES).
override TR: u32 = 8;
override TC: u32 = 4;
const MAX_TR: u32 = 16u;
const MAX_TC: u32 = 8u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let col_blocks = (K + TC - 1u) / TC;
  let r0 = (gid.x / col_blocks) * TR;
  if (r0 >= step.rows) {
    return;
  }
  let k0 = (gid.x % col_blocks) * TC;
  var di: array<u32, MAX_TR>;
  for (var j = 0u; j < TR; j++) {
    di[j] = min(r0 + j, step.rows - 1u) * N;
  }
  var wi: array<u32, MAX_TC>;
  for (var c = 0u; c < TC; c++) {
    wi[c] = min(k0 + c, K - 1u) * N;
  }
  var acc: array<array<f32, MAX_TC>, MAX_TR>;
  for (var n = 0u; n < N; n++) {
    var wn: array<f32, MAX_TC>;
    for (var c = 0u; c < TC; c++) {
      wn[c] = w[wi[c] + n];
    }
    for (var j = 0u; j < TR; j++) {
      let d = dy[di[j] + n];
      for (var c = 0u; c < TC; c++) {
        acc[j][c] += d * wn[c];
      }
    }
  }
  for (var j = 0u; j < TR; j++) {
    let r = r0 + j;
    for (var c = 0u; c < TC; c++) {
      let k = k0 + c;
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
