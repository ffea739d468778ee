// Gradient of a 2-D convolution (stride 1, zero padding) with respect to its input:
//   dx[r, ci, iy, ix] = Σ_{co, ky, kx} dy[r, co, iy + PAD - ky, ix + PAD - kx] · w[co, ci, ky, kx]
// over the (oy, ox) inside the output. The layer before a LeNet convolution is a pooling layer, so no
// activation derivative is applied here.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C_IN: u32;  // input channels, at most MAX_IN
override C_OUT: u32; // output channels
override H: u32;     // input height
override W: u32;     // input width
override KS: u32;    // kernel size (square), at most MAX_KS
override PAD: u32;   // zero padding on every side
override HO: u32 = H + 2u * PAD - KS + 1u;
override WO: u32 = W + 2u * PAD - KS + 1u;
override TILES: u32 = (W + 3u) / 4u; // 4-pixel tiles per input row
override CI4: u32 = (C_IN + 3u) / 4u; // vec4s of input channels

const MAX_IN: u32 = 16u;
const MAX_KS: u32 = 5u;

@group(0) @binding(0) var<storage, read> dy: array<f32>;         // [rows, C_OUT, HO, WO]
// The weights [C_OUT, C_IN, KS, KS] repacked by conv2d_weight_pack.wgsl: 4 input channels per vec4.
@group(0) @binding(1) var<storage, read> w: array<vec4<f32>>;    // [C_OUT, KS·KS, CI4]
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;   // [rows, C_IN, H, W]

override WG: u32 = 64;

// One invocation per 4 neighbouring input pixels of a row, for every input channel: the same register tile as
// conv2d_forward.wgsl (a full correlation of dy with the flipped kernel), branch-free, with the co loop
// bounded by a value the compiler cannot see, for the same reasons.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  let tiles = H * TILES;
  let opaque = select(0u, 1u, step.rows > 0x7fffffffu); // always 0: rows never reach 2^31
  let valid = i < step.rows * tiles;
  let j = select(0u, i, valid);
  let r = j / tiles;
  let iy = (j % tiles) / TILES;
  let ix0 = (j % TILES) * 4u;
  var acc: array<vec4<f32>, MAX_IN>; // [channel] 4 pixels; channels past C_IN (to 4·CI4) are computed, not stored
  for (var ci = 0u; ci < 4u * CI4; ci++) {
    acc[ci] = vec4<f32>(0.0);
  }
  for (var co = 0u; co < C_OUT + opaque; co++) {
    let dyc = (r * C_OUT + co) * HO;
    for (var ky = 0u; ky < KS; ky++) {
      let oy = i32(iy + PAD) - i32(ky);
      let row_ok = oy >= 0 && oy < i32(HO);
      let row = (dyc + u32(clamp(oy, 0, i32(HO) - 1))) * WO;
      // gs[k] = dy at ox = ix0 + PAD - (KS - 1) + k, for the KS + 3 columns the 4 pixels' windows cover.
      var gs: array<f32, MAX_KS + 3u>;
      for (var k = 0u; k < KS + 3u; k++) {
        let ox = i32(ix0 + PAD + k) - i32(KS - 1u);
        gs[k] = select(0.0, dy[row + u32(clamp(ox, 0, i32(WO) - 1))], row_ok && ox >= 0 && ox < i32(WO));
      }
      for (var kx = 0u; kx < KS; kx++) {
        // pixel ix0 + c reads ox = ix0 + c + PAD - kx, i.e. gs[c + KS - 1 - kx]
        let s = KS - 1u - kx;
        let g = vec4<f32>(gs[s], gs[s + 1u], gs[s + 2u], gs[s + 3u]);
        let t = (co * KS + ky) * KS + kx;
        for (var k = 0u; k < CI4; k++) {
          let wv = w[t * CI4 + k];
          acc[4u * k] += g * wv.x;
          acc[4u * k + 1u] += g * wv.y;
          acc[4u * k + 2u] += g * wv.z;
          acc[4u * k + 3u] += g * wv.w;
        }
      }
    }
  }
  if (valid) {
    for (var ci = 0u; ci < C_IN; ci++) {
      let base = ((r * C_IN + ci) * H + iy) * W;
      for (var c = 0u; c < 4u; c++) {
        if (ix0 + c < W) {
          dx[base + ix0 + c] = acc[ci][c];
        }
      }
    }
  }
}
