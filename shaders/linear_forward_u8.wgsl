// The first dense layer's forward pass, reading its input straight from the dataset resident on the GPU:
// x = images[order[row0 + r]] / 255 as u8, 4 pixels per word (no gathered f32 copy), then
// out = act(x·W + b) as in linear_forward.wgsl (ReLU when RELU, then dropout in training). It also gathers the
// step's labels into y, for the loss. Bytes are summed first and divided by 255 once per output.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override K: u32; // pixels per image, a multiple of 4 (the dataset packs 4 per word)
override N: u32; // outputs per row, fixed when the kernel is created

@group(0) @binding(0) var<storage, read> images: array<u32>;     // [count, K / 4] u8 pixels packed 4 per word
@group(0) @binding(1) var<storage, read> labels: array<u32>;     // [count]
@group(0) @binding(2) var<storage, read> order: array<u32>;      // [count] sample index at each epoch position
@group(0) @binding(3) var<storage, read> w: array<f32>;          // [K, N] row-major
@group(0) @binding(4) var<storage, read> b: array<f32>;          // [N]
@group(0) @binding(5) var<storage, read_write> out: array<f32>;  // [rows, N] row-major
@group(0) @binding(6) var<storage, read_write> y: array<u32>;    // [rows] labels of the step's samples

override WG: u32 = 64;
override RELU: bool = false;
// TR rows x TC columns per invocation (see linear_forward.wgsl). One word load gives 4 pixels, so a block
// does TR + 4 * TC loads for 4 * TR * TC multiply-adds per word.
override TR: u32 = 8;
override TC: u32 = 4;
const MAX_TR: u32 = 16u;
const MAX_TC: u32 = 8u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let col_blocks = (N + TC - 1u) / TC;
  let r0 = (gid.x / col_blocks) * TR;
  if (r0 >= step.rows) {
    return;
  }
  let n0 = (gid.x % col_blocks) * TC;
  let words = K / 4u;
  var sample: array<u32, MAX_TR>;
  var base: array<u32, MAX_TR>;
  for (var j = 0u; j < TR; j++) {
    sample[j] = order[step.row0 + min(r0 + j, step.rows - 1u)];
    base[j] = sample[j] * words;
  }
  var wi: array<u32, MAX_TC>;
  for (var c = 0u; c < TC; c++) {
    wi[c] = min(n0 + c, N - 1u);
  }
  var acc: array<array<f32, MAX_TC>, MAX_TR>;
  for (var word = 0u; word < words; word++) {
    var px: array<u32, MAX_TR>;
    for (var j = 0u; j < TR; j++) {
      px[j] = images[base[j] + word];
    }
    for (var s = 0u; s < 4u; s++) {
      let k = word * 4u + s;
      var wk: array<f32, MAX_TC>;
      for (var c = 0u; c < TC; c++) {
        wk[c] = w[k * N + wi[c]];
      }
      for (var j = 0u; j < TR; j++) {
        let xv = f32((px[j] >> (8u * s)) & 0xffu);
        for (var c = 0u; c < TC; c++) {
          acc[j][c] += xv * wk[c];
        }
      }
    }
  }
  for (var j = 0u; j < TR; j++) {
    let r = r0 + j;
    if (r >= step.rows) {
      continue;
    }
    if (n0 == 0u) {
      y[r] = labels[sample[j]];
    }
    for (var c = 0u; c < TC; c++) {
      let n = n0 + c;
      if (n < N) {
        var v = acc[j][c] / 255.0 + b[n];
        if (RELU) {
          v = max(v, 0.0);
        }
        out[r * N + n] = dropout_apply(v, r * N + n);
      }
    }
  }
}
