// Gradients of a 2-D convolution (stride 1, zero padding) with respect to its weights and bias, summed over
// the minibatch:
//   dw[co, ci, ky, kx] = Σ_{r, oy, ox} dy[r, co, oy, ox] · x[r, ci, oy + ky - PAD, ox + kx - PAD]
//   db[co]             = Σ_{r, oy, ox} dy[r, co, oy, ox]
// (dy already carries the 1/rows of the mean loss).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C_IN: u32;  // input channels
override C_OUT: u32; // output channels
override H: u32;     // input height
override W: u32;     // input width
override KS: u32;    // kernel size (square), at most MAX_KS
override PAD: u32;   // zero padding on every side
override HO: u32 = H + 2u * PAD - KS + 1u;
override WO: u32 = W + 2u * PAD - KS + 1u;

const MAX_TAPS: u32 = 25u; // KS <= 5
override SUMS: u32 = KS * KS + 1u; // one sum per tap, and the bias's

@group(0) @binding(0) var<storage, read> x: array<f32>;          // [rows, C_IN, H, W]
@group(0) @binding(1) var<storage, read> dy: array<f32>;         // [rows, C_OUT, HO, WO]
@group(0) @binding(2) var<storage, read_write> dw: array<f32>;   // [C_OUT, C_IN, KS, KS]
@group(0) @binding(3) var<storage, read_write> db: array<f32>;   // [C_OUT]

override WG: u32 = 64;
var<workgroup> partial: array<f32, WG * SUMS>;

// One workgroup per (ci, co) pair computing its KS² weights (and, for ci 0, the bias): the invocations split
// the rows · HO · WO output positions between them (neighbours read neighbouring addresses), each dy load is
// reused by KS² taps, and one barrier then lets SUMS invocations each add up one sum's WG partials.
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let ci = wid.x;
  let co = wid.y;
  let plane = HO * WO;
  let positions = step.rows * plane;
  var acc: array<f32, MAX_TAPS>;
  var bias_acc = 0.0;
  for (var t = 0u; t < KS * KS; t++) {
    acc[t] = 0.0;
  }
  for (var q = lid; q < positions; q += WG) {
    let r = q / plane;
    let p = q % plane;
    let oy = p / WO;
    let ox = p % WO;
    let g = dy[(r * C_OUT + co) * plane + p];
    bias_acc += g;
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
        acc[ky * KS + kx] += g * x[xrow + u32(ix)];
      }
    }
  }
  for (var t = 0u; t < KS * KS; t++) {
    partial[lid * SUMS + t] = acc[t];
  }
  partial[lid * SUMS + KS * KS] = bias_acc;
  workgroupBarrier();
  if (lid < SUMS) {
    var total = 0.0;
    for (var k = 0u; k < WG; k++) {
      total += partial[k * SUMS + lid];
    }
    if (lid < KS * KS) {
      dw[(co * C_IN + ci) * KS * KS + lid] = total;
    } else if (ci == 0u) {
      db[co] = total;
    }
  }
}
