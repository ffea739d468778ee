// Gradient of a 2-D convolution (stride 1, zero padding) with respect to its input:
//   dx[r, ci, iy, ix] = Σ_{co, ky, kx} dy[r, co, iy + PAD - ky, ix + PAD - kx] · w[co, ci, ky, kx]
// over the (oy, ox) inside the output. The layer before a LeNet convolution is a pooling layer, so no
// activation derivative is applied here.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C_IN: u32;  // input channels, at most MAX_IN
override C_OUT: u32; // output channels
override H: u32;     // input height
override W: u32;     // input width
override KS: u32;    // kernel size (square)
override PAD: u32;   // zero padding on every side
override HO: u32 = H + 2u * PAD - KS + 1u;
override WO: u32 = W + 2u * PAD - KS + 1u;

const MAX_IN: u32 = 16u;

@group(0) @binding(0) var<storage, read> dy: array<f32>;         // [rows, C_OUT, HO, WO]
@group(0) @binding(1) var<storage, read> w: array<f32>;          // [C_OUT, C_IN, KS, KS]
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;   // [rows, C_IN, H, W]

override WG: u32 = 64;

// One invocation per input pixel computing every input channel: each dy load is reused C_IN times.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  let plane = H * W;
  if (i >= step.rows * plane) {
    return;
  }
  let r = i / plane;
  let p = i % plane;
  let iy = p / W;
  let ix = p % W;
  let taps = C_IN * KS * KS;
  var acc: array<f32, MAX_IN>;
  for (var ci = 0u; ci < C_IN; ci++) {
    acc[ci] = 0.0;
  }
  for (var co = 0u; co < C_OUT; co++) {
    let dyc = (r * C_OUT + co) * HO;
    for (var ky = 0u; ky < KS; ky++) {
      let oy = i32(iy + PAD) - i32(ky);
      if (oy < 0 || oy >= i32(HO)) {
        continue;
      }
      let dyrow = (dyc + u32(oy)) * WO;
      for (var kx = 0u; kx < KS; kx++) {
        let ox = i32(ix + PAD) - i32(kx);
        if (ox < 0 || ox >= i32(WO)) {
          continue;
        }
        let g = dy[dyrow + u32(ox)];
        let t = co * taps + ky * KS + kx;
        for (var ci = 0u; ci < C_IN; ci++) {
          acc[ci] += g * w[t + ci * KS * KS];
        }
      }
    }
  }
  for (var ci = 0u; ci < C_IN; ci++) {
    dx[((r * C_IN + ci) * H + iy) * W + ix] = acc[ci];
  }
}
