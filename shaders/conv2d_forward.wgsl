// A 2-D convolution layer's forward pass (stride 1, zero padding), with the activation that follows it fused:
//   y[r, co, oy, ox] = act(bias[co] + Σ_{ci, ky, kx} x[r, ci, oy + ky - PAD, ox + kx - PAD] · w[co, ci, ky, kx])
// (cross-correlation, as torch.nn.Conv2d computes it). ACT: 0 none, 1 sigmoid, 2 ReLU.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C_IN: u32;  // input channels
override C_OUT: u32; // output channels, at most MAX_OUT
override H: u32;     // input height
override W: u32;     // input width
override KS: u32;    // kernel size (square), at most MAX_KS
override PAD: u32;   // zero padding on every side
override ACT: u32 = 0u;
override HO: u32 = H + 2u * PAD - KS + 1u; // output height
override WO: u32 = W + 2u * PAD - KS + 1u; // output width
override TILES: u32 = (WO + 3u) / 4u;      // 4-pixel tiles per output row
override C4: u32 = (C_OUT + 3u) / 4u;      // vec4s of output channels

const MAX_OUT: u32 = 16u;
const MAX_KS: u32 = 5u;

@group(0) @binding(0) var<storage, read> x: array<f32>;          // [rows, C_IN, H, W]
// The weights [C_OUT, C_IN, KS, KS] repacked by conv2d_weight_pack.wgsl: 4 output channels per vec4.
@group(0) @binding(1) var<storage, read> w: array<vec4<f32>>;    // [C_IN·KS·KS, C4]
@group(0) @binding(2) var<storage, read> bias: array<f32>;       // [C_OUT]
@group(0) @binding(3) var<storage, read_write> y: array<f32>;    // [rows, C_OUT, HO, WO], after the activation

override WG: u32 = 64;

fn activate(v: f32) -> f32 {
  if (ACT == 1u) {
    return 1.0 / (1.0 + exp(-v));
  }
  if (ACT == 2u) {
    return max(v, 0.0);
  }
  return v;
}

// One invocation per 4 neighbouring output pixels of a row, for every output channel (a register tile, as in a
// matmul: on lavapipe every storage load is issued per invocation, so loads per multiply-add decide the speed).
// Per input row it loads the KS + 3 pixels the 4 windows cover, once, and 4 weights per load for 4 pixels.
// Branch-free: padding and the row's end read a clamped address and zero it, so the SIMD lanes stay together.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  let tiles = HO * TILES;
  let valid = i < step.rows * tiles;
  let j = select(0u, i, valid);
  let r = j / tiles;
  let oy = (j % tiles) / TILES;
  let ox0 = (j % TILES) * 4u;
  var acc: array<vec4<f32>, MAX_OUT>; // [channel] 4 pixels; channels past C_OUT (to 4·C4) are computed, not stored
  for (var co = 0u; co < 4u * C4; co++) {
    acc[co] = vec4<f32>(bias[min(co, C_OUT - 1u)]);
  }
  for (var ci = 0u; ci < C_IN; ci++) {
    let xc = (r * C_IN + ci) * H;
    for (var ky = 0u; ky < KS; ky++) {
      let iy = i32(oy + ky) - i32(PAD);
      let row_ok = iy >= 0 && iy < i32(H);
      let row = (xc + u32(clamp(iy, 0, i32(H) - 1))) * W;
      var xs: array<f32, MAX_KS + 3u>;
      for (var k = 0u; k < KS + 3u; k++) {
        let ix = i32(ox0 + k) - i32(PAD);
        xs[k] = select(0.0, x[row + u32(clamp(ix, 0, i32(W) - 1))], row_ok && ix >= 0 && ix < i32(W));
      }
      for (var kx = 0u; kx < KS; kx++) {
        let v = vec4<f32>(xs[kx], xs[kx + 1u], xs[kx + 2u], xs[kx + 3u]);
        let t = (ci * KS + ky) * KS + kx;
        for (var k = 0u; k < C4; k++) {
          let wv = w[t * C4 + k];
          acc[4u * k] += v * wv.x;
          acc[4u * k + 1u] += v * wv.y;
          acc[4u * k + 2u] += v * wv.z;
          acc[4u * k + 3u] += v * wv.w;
        }
      }
    }
  }
  if (valid) {
    for (var co = 0u; co < C_OUT; co++) {
      let base = ((r * C_OUT + co) * HO + oy) * WO;
      for (var c = 0u; c < 4u; c++) {
        if (ox0 + c < WO) {
          y[base + ox0 + c] = activate(acc[co][c]);
        }
      }
    }
  }
}
