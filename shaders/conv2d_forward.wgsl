// A 2-D convolution layer's forward pass (stride 1, zero padding), with the activation that follows it fused:
//   y[r, co, oy, ox] = act(bias[co] + Σ_{ci, ky, kx} x[r, ci, oy + ky - PAD, ox + kx - PAD] · w[co, ci, ky, kx])
// (cross-correlation, as torch.nn.Conv2d computes it). ACT: 0 none, 1 sigmoid, 2 ReLU.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C_IN: u32;  // input channels
override C_OUT: u32; // output channels, at most MAX_OUT
override H: u32;     // input height
override W: u32;     // input width
override KS: u32;    // kernel size (square)
override PAD: u32;   // zero padding on every side
override ACT: u32 = 0u;
override HO: u32 = H + 2u * PAD - KS + 1u; // output height
override WO: u32 = W + 2u * PAD - KS + 1u; // output width

const MAX_OUT: u32 = 16u; // accumulators per invocation are a fixed-size array (registers once unrolled)

@group(0) @binding(0) var<storage, read> x: array<f32>;          // [rows, C_IN, H, W]
@group(0) @binding(1) var<storage, read> w: array<f32>;          // [C_OUT, C_IN, KS, KS] (PyTorch's layout)
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

// One invocation per output pixel computing every output channel: each input load is reused C_OUT times, and
// the weight loads are the same address in every invocation (what a CPU driver's SIMD lanes share best).
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  let plane = HO * WO;
  if (i >= step.rows * plane) {
    return;
  }
  let r = i / plane;
  let p = i % plane;
  let oy = p / WO;
  let ox = p % WO;
  let taps = C_IN * KS * KS;
  var acc: array<f32, MAX_OUT>;
  for (var co = 0u; co < C_OUT; co++) {
    acc[co] = bias[co];
  }
  for (var ci = 0u; ci < C_IN; ci++) {
    let xc = (r * C_IN + ci) * H;
    for (var ky = 0u; ky < KS; ky++) {
      let iy = i32(oy + ky) - i32(PAD);
      if (iy < 0 || iy >= i32(H)) {
        continue;
      }
      let xrow = (xc + u32(iy)) * W;
      for (var kx = 0u; kx < KS; kx++) {
        let ix = i32(ox + kx) - i32(PAD);
        if (ix < 0 || ix >= i32(W)) {
          continue;
        }
        let v = x[xrow + u32(ix)];
        let t = (ci * KS + ky) * KS + kx;
        for (var co = 0u; co < C_OUT; co++) {
          acc[co] += v * w[co * taps + t];
        }
      }
    }
  }
  for (var co = 0u; co < C_OUT; co++) {
    y[((r * C_OUT + co) * HO + oy) * WO + ox] = activate(acc[co]);
  }
}
