// Pooling as PyTorch's AvgPool2d / MaxPool2d (floor mode): each output is the mean (POOL 0) or the maximum
// (POOL 1) of its KH x KW window (KS x KS unless KH/KW say otherwise), windows STRIDE apart over the input padded by
// PAD on every side. The mean counts the padding (count_include_pad=True: always divided by KH·KW); the maximum
// treats it as -inf (PyTorch requires PAD <= KS/2, so every window holds an input element). The defaults are
// LeNet's 2x2 windows with stride 2 (odd sizes floored: the last row/column is dropped); KH = H, KW = W is the
// global average (AdaptiveAvgPool2d(1)). Grids may be 2-D: an invocation's number is gid.x + gid.y·(nwg.x·WG)
// (kernels/kernel.ts, spreadGrid).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C: u32;  // channels
override H: u32;  // input height
override W: u32;  // input width
override POOL: u32 = 0u;
override KS: u32 = 2u;
override KH: u32 = KS;
override KW: u32 = KS;
override STRIDE: u32 = 2u;
override PAD: u32 = 0u;
override HO: u32 = (H + 2u * PAD - KH) / STRIDE + 1u;
override WO: u32 = (W + 2u * PAD - KW) / STRIDE + 1u;

@group(0) @binding(0) var<storage, read> x: array<f32>;          // [rows, C, H, W]
@group(0) @binding(1) var<storage, read_write> y: array<f32>;    // [rows, C, HO, WO]

override WG: u32 = 64;

// One invocation per output element.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * WG);
  if (i >= step.rows * C * HO * WO) {
    return;
  }
  let plane = i / (HO * WO); // r * C + c
  let p = i % (HO * WO);
  if (PAD == 0u) {
    // Every window lies inside the input (floor mode): no masks (LeNet's 2x2 windows run as fast as before).
    let base = (plane * H + (p / WO) * STRIDE) * W + (p % WO) * STRIDE;
    var m = x[base];
    var sum = 0.0;
    for (var ky = 0u; ky < KH; ky++) {
      for (var kx = 0u; kx < KW; kx++) {
        let v = x[base + ky * W + kx];
        m = max(m, v);
        sum += v;
      }
    }
    y[i] = select(sum / f32(KH * KW), m, POOL == 1u);
    return;
  }
  let y0 = i32((p / WO) * STRIDE) - i32(PAD);
  let x0 = i32((p % WO) * STRIDE) - i32(PAD);
  // Fixed trip counts (the compiler unrolls them), loads at clamped indices, padding masked out.
  var acc = 0.0;
  var found = false; // the maximum starts at the window's first element inside the input
  for (var ky = 0u; ky < KH; ky++) {
    let iy = y0 + i32(ky);
    let row = (plane * H + u32(clamp(iy, 0, i32(H) - 1))) * W;
    let row_in = iy >= 0 && iy < i32(H);
    for (var kx = 0u; kx < KW; kx++) {
      let ix = x0 + i32(kx);
      let v = x[row + u32(clamp(ix, 0, i32(W) - 1))];
      let inside = row_in && ix >= 0 && ix < i32(W);
      if (POOL == 1u) {
        acc = select(acc, select(v, max(acc, v), found), inside);
        found = found || inside;
      } else {
        acc += select(0.0, v, inside);
      }
    }
  }
  y[i] = select(acc / f32(KH * KW), acc, POOL == 1u);
}
