// Gradient of pooling (pool_forward.wgsl's: KH x KW windows, STRIDE, PAD, floor mode) with respect to its input,
// times the derivative of the activation that produced that input (fused: the pooled tensor is an activation's
// output a). A gather, no atomics: each input element sums over the output windows that contain it
//   avg (POOL 0): dy[window] / (KH·KW) (the padding counted, as AvgPool2d's count_include_pad=True);
//   max (POOL 1): dy[window] where this element is the window's first maximum in row-major scan order (the argmax
//   is recomputed from a, as PyTorch's first-max rule picks it; padding never wins), else 0
// then dx *= act'(a): ACT 1 sigmoid a·(1 - a), ACT 2 ReLU [a > 0], ACT 0 none. Elements outside every window (the
// last row/column of an odd size under 2x2 / stride 2) get 0. Grids may be 2-D (see pool_forward.wgsl).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C: u32;  // channels
override H: u32;  // input height
override W: u32;  // input width
override POOL: u32 = 0u;
override ACT: u32 = 0u;
override KS: u32 = 2u;
override KH: u32 = KS;
override KW: u32 = KS;
override STRIDE: u32 = 2u;
override PAD: u32 = 0u;
override HO: u32 = (H + 2u * PAD - KH) / STRIDE + 1u;
override WO: u32 = (W + 2u * PAD - KW) / STRIDE + 1u;

@group(0) @binding(0) var<storage, read> a: array<f32>;          // [rows, C, H, W]: the pooling's input
@group(0) @binding(1) var<storage, read> dy: array<f32>;         // [rows, C, HO, WO]
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;   // [rows, C, H, W]

override WG: u32 = 64;

// The input index of the first maximum of window (oy, ox) of `plane`, in row-major scan order.
fn window_argmax(plane: u32, oy: u32, ox: u32) -> u32 {
  let y0 = i32(oy * STRIDE) - i32(PAD);
  let x0 = i32(ox * STRIDE) - i32(PAD);
  let ylo = u32(max(y0, 0));
  let yhi = u32(min(y0 + i32(KH), i32(H)));
  let xlo = u32(max(x0, 0));
  let xhi = u32(min(x0 + i32(KW), i32(W)));
  var best = (plane * H + ylo) * W + xlo;
  var best_value = a[best];
  for (var iy = ylo; iy < yhi; iy++) {
    for (var ix = xlo; ix < xhi; ix++) {
      let j = (plane * H + iy) * W + ix;
      if (a[j] > best_value) {
        best_value = a[j];
        best = j;
      }
    }
  }
  return best;
}

// One invocation per input element.
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i >= step.rows * C * H * W) {
    return;
  }
  let plane = i / (H * W); // r * C + c
  let p = i % (H * W);
  // Windows oy with oy·STRIDE - PAD <= iy < oy·STRIDE - PAD + KH, within [0, HO); the same for columns.
  let ty = i32(p / W + PAD);
  let tx = i32(p % W + PAD);
  let s = i32(STRIDE);
  let oy_lo = max(ty - i32(KH) + s, 0) / s; // ceil((ty - KH + 1) / STRIDE), at least 0
  let oy_hi = min(ty / s, i32(HO) - 1);
  let ox_lo = max(tx - i32(KW) + s, 0) / s;
  let ox_hi = min(tx / s, i32(WO) - 1);
  var g = 0.0;
  for (var oy = oy_lo; oy <= oy_hi; oy++) {
    for (var ox = ox_lo; ox <= ox_hi; ox++) {
      let d = dy[(plane * HO + u32(oy)) * WO + u32(ox)];
      if (POOL == 1u) {
        g += select(0.0, d, window_argmax(plane, u32(oy), u32(ox)) == i);
      } else {
        g += d;
      }
    }
  }
  if (POOL == 0u) {
    g /= f32(KH * KW);
  }
  let v = a[i];
  if (ACT == 1u) {
    g *= v * (1.0 - v);
  } else if (ACT == 2u) {
    g = select(0.0, g, v > 0.0);
  }
  dx[i] = g;
}
