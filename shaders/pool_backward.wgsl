// Gradient of pooling (pool_forward.wgsl's: KH x KW windows, STRIDE, PAD, floor mode) with respect to its input,
// times the derivative of the activation that produced that input (fused: the pooled tensor is an activation's
// output a). A gather, no atomics: each input element sums over the output windows that contain it
//   avg (POOL 0): dy[window] / (KH·KW) (the padding counted, as AvgPool2d's count_include_pad=True);
//   max (POOL 1): dy[window] where this element is the window's first maximum in row-major scan order (the argmax
//   is recomputed from a, as PyTorch's first-max rule picks it; padding never wins), else 0
// then dx *= act'(a): ACT 1 sigmoid a·(1 - a), ACT 2 ReLU [a > 0], ACT 0 none. Elements outside every window (the
// last row/column of an odd size under 2x2 / stride 2) get 0. Grids may be 2-D (see pool_forward.wgsl).
// Two entry points: `main`, one invocation per input element, for any window; `windows_2x2`, one invocation per
// window, for 2x2 windows with stride 2 on an even height and width (LeNet's), reading a and writing dx as vec2
// rows (on lavapipe each load or store with a computed address costs a per-lane loop, so 5 of them per window
// instead of 12; max pooling finds its argmax in the values already loaded).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader; POOL, ACT and the 2x2
// window's gradient: prelude/pool_window_grad.wgsl, prepended after it.
override C: u32;  // channels
override H: u32;  // input height
override W: u32;  // input width
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
// The same buffers as a and dx, as windows_2x2 reads and writes them (W even): [rows, C, H, W / 2] vec2 each.
@group(0) @binding(0) var<storage, read> a_pairs: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> dx_pairs: array<vec2<f32>>;

override WG: u32 = 64;

// The input index of the first maximum of window (oy, ox) of `plane`, in row-major scan order: PyTorch's rule
// (the first element inside the input, replaced only by a larger value; the padding never wins). Fixed trip
// counts (unrolled), loads at clamped indices.
fn window_argmax(plane: u32, oy: u32, ox: u32) -> u32 {
  if (PAD == 0u) {
    // The window lies inside the input (floor mode): no masks.
    let base = (plane * H + oy * STRIDE) * W + ox * STRIDE;
    var best = base;
    var best_value = a[base];
    for (var ky = 0u; ky < KH; ky++) {
      for (var kx = 0u; kx < KW; kx++) {
        let j = base + ky * W + kx;
        let v = a[j];
        best = select(best, j, v > best_value);
        best_value = max(best_value, v);
      }
    }
    return best;
  }
  let y0 = i32(oy * STRIDE) - i32(PAD);
  let x0 = i32(ox * STRIDE) - i32(PAD);
  var best = 0u;
  var best_value = 0.0;
  var found = false;
  for (var ky = 0u; ky < KH; ky++) {
    let iy = y0 + i32(ky);
    let row = (plane * H + u32(clamp(iy, 0, i32(H) - 1))) * W;
    let row_in = iy >= 0 && iy < i32(H);
    for (var kx = 0u; kx < KW; kx++) {
      let ix = x0 + i32(kx);
      let j = row + u32(clamp(ix, 0, i32(W) - 1));
      let v = a[j];
      let inside = row_in && ix >= 0 && ix < i32(W);
      let better = inside && (!found || v > best_value);
      best = select(best, j, better);
      best_value = select(best_value, v, better);
      found = found || inside;
    }
  }
  return best;
}

// At most WY x WX windows hold an element: ceil(KH / STRIDE) x ceil(KW / STRIDE).
override WY: u32 = (KH + STRIDE - 1u) / STRIDE;
override WX: u32 = (KW + STRIDE - 1u) / STRIDE;

// The sum of dy over the windows (oy, ox) that hold input element i (at p of its plane): oy·STRIDE - PAD <= iy <
// oy·STRIDE - PAD + KH within [0, HO), i.e. oy_hi and the WY - 1 before it (fixed trip counts, unrolled), those
// under oy_lo skipped; the same for columns. For max pooling only the windows whose first maximum is i count.
fn overlapping_windows_grad(plane: u32, p: u32, i: u32) -> f32 {
  let ty = i32(p / W + PAD);
  let tx = i32(p % W + PAD);
  let s = i32(STRIDE);
  let oy_lo = max(ty - i32(KH) + s, 0) / s; // ceil((ty - KH + 1) / STRIDE), at least 0
  let oy_hi = min(ty / s, i32(HO) - 1);
  let ox_lo = max(tx - i32(KW) + s, 0) / s;
  let ox_hi = min(tx / s, i32(WO) - 1);
  var g = 0.0;
  for (var wy = 0u; wy < WY; wy++) {
    let oy = oy_hi - i32(wy);
    for (var wx = 0u; wx < WX; wx++) {
      let ox = ox_hi - i32(wx);
      if (oy < oy_lo || ox < ox_lo) {
        continue;
      }
      let d = dy[(plane * HO + u32(oy)) * WO + u32(ox)];
      if (POOL == 1u) {
        g += select(0.0, d, window_argmax(plane, u32(oy), u32(ox)) == i);
      } else {
        g += d;
      }
    }
  }
  return g;
}

// One invocation per input element.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * WG);
  if (i >= step.rows * C * H * W) {
    return;
  }
  let plane = i / (H * W); // r * C + c
  let p = i % (H * W);
  var g = 0.0;
  if (PAD == 0u && STRIDE == KH && STRIDE == KW) {
    // Windows that tile the input (LeNet's 2x2 / stride 2): at most one holds the element.
    let oy = p / W / STRIDE;
    let ox = p % W / STRIDE;
    if (oy < HO && ox < WO) {
      g = dy[(plane * HO + oy) * WO + ox];
      if (POOL == 1u && window_argmax(plane, oy, ox) != i) {
        g = 0.0;
      }
    }
  } else {
    g = overlapping_windows_grad(plane, p, i);
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

// One invocation per 2x2 window (stride 2, H and W even: HO = H / 2, WO = W / 2).
@compute @workgroup_size(WG)
fn windows_2x2(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * WG);
  if (i >= step.rows * C * HO * WO) {
    return;
  }
  let plane = i / (HO * WO); // r * C + c
  let p = i % (HO * WO);
  let top = (plane * H + 2u * (p / WO)) * WO + p % WO; // vec2 index of the window's top row (W / 2 = WO vec2s a row)
  let bottom = top + WO;
  let u = a_pairs[top];
  let v = a_pairs[bottom];
  let d = pool_window_grad(dy[i], u, v);
  dx_pairs[top] = activation_slope(d[0], u);
  dx_pairs[bottom] = activation_slope(d[1], v);
}
