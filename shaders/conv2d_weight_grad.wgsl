// Gradients of a 2-D convolution (stride 1, zero padding) with respect to its weights and bias, summed over
// the minibatch:
//   dw[co, ci, ky, kx] = Σ_{r, oy, ox} dy[r, co, oy, ox] · x[r, ci, oy + ky - PAD, ox + kx - PAD]
//   db[co]             = Σ_{r, oy, ox} dy[r, co, oy, ox]
// (dy already carries the 1/rows of the mean loss).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C_IN: u32;  // input channels
override C_OUT: u32; // output channels, at most MAX_OUT
override H: u32;     // input height
override W: u32;     // input width
override KS: u32;    // kernel size (square), at most MAX_KS
override PAD: u32;   // zero padding on every side
override HO: u32 = H + 2u * PAD - KS + 1u;
override WO: u32 = W + 2u * PAD - KS + 1u;

const MAX_OUT: u32 = 16u;
const MAX_KS: u32 = 5u;
override SUMS: u32 = C_OUT * KS + C_OUT; // a row of KS weights per output channel, and the biases

@group(0) @binding(0) var<storage, read> x: array<f32>;          // [rows, C_IN, H, W]
@group(0) @binding(1) var<storage, read> dy: array<f32>;         // [rows, C_OUT, HO, WO]
@group(0) @binding(2) var<storage, read_write> dw: array<f32>;   // [C_OUT, C_IN, KS, KS]
@group(0) @binding(3) var<storage, read_write> db: array<f32>;   // [C_OUT]

override WG: u32 = 32;
var<workgroup> partial: array<f32, WG * SUMS>;

// One workgroup per (ci, ky): its invocations split the rows·HO·WO output positions between them (neighbours
// read neighbouring addresses) and each keeps a C_OUT x KS register tile: per position, C_OUT loads of dy and
// KS of x feed C_OUT·KS multiply-adds (on lavapipe, loads per multiply-add decide the speed). One barrier, then
// the invocations add up the WG partials of each sum. The (0, 0) workgroup also sums the biases.
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let ci = wid.x;
  let ky = wid.y;
  let plane = HO * WO;
  let positions = step.rows * plane;
  var acc: array<array<f32, MAX_KS>, MAX_OUT>;
  var bias_acc: array<f32, MAX_OUT>;
  for (var co = 0u; co < C_OUT; co++) {
    bias_acc[co] = 0.0;
    for (var kx = 0u; kx < KS; kx++) {
      acc[co][kx] = 0.0;
    }
  }
  for (var q = lid; q < positions; q += WG) {
    let r = q / plane;
    let p = q % plane;
    let oy = p / WO;
    let ox = p % WO;
    // Branch-free at the padding (a clamped load, zeroed).
    let iy = i32(oy + ky) - i32(PAD);
    let row_ok = iy >= 0 && iy < i32(H);
    let row = ((r * C_IN + ci) * H + u32(clamp(iy, 0, i32(H) - 1))) * W;
    var xs: array<f32, MAX_KS>;
    for (var kx = 0u; kx < KS; kx++) {
      let ix = i32(ox + kx) - i32(PAD);
      xs[kx] = select(0.0, x[row + u32(clamp(ix, 0, i32(W) - 1))], row_ok && ix >= 0 && ix < i32(W));
    }
    let dyr = r * C_OUT * plane + p;
    for (var co = 0u; co < C_OUT; co++) {
      let g = dy[dyr + co * plane];
      bias_acc[co] += g;
      for (var kx = 0u; kx < KS; kx++) {
        acc[co][kx] += g * xs[kx];
      }
    }
  }
  for (var co = 0u; co < C_OUT; co++) {
    for (var kx = 0u; kx < KS; kx++) {
      partial[lid * SUMS + co * KS + kx] = acc[co][kx];
    }
    partial[lid * SUMS + C_OUT * KS + co] = bias_acc[co];
  }
  workgroupBarrier();
  for (var s = lid; s < SUMS; s += WG) {
    var total = 0.0;
    for (var k = 0u; k < WG; k++) {
      total += partial[k * SUMS + s];
    }
    if (s < C_OUT * KS) {
      let co = s / KS;
      dw[((co * C_IN + ci) * KS + ky) * KS + s % KS] = total;
    } else if (ci == 0u && ky == 0u) {
      db[s - C_OUT * KS] = total;
    }
  }
}
