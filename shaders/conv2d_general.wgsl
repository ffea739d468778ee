// A general 2-D convolution, as PyTorch's Conv2d computes it (cross-correlation; any channel counts, square
// kernel KS, stride STRIDE, zero padding PAD, a bias), and its gradients: three entry points over one set of
// shape overrides (src/kernels/conv2d_general.ts creates each):
//   forward:      y = act(conv(x, w) + bias)                 ACT: 0 none, 1 sigmoid, 2 ReLU
//   input_grad:   dx = the transposed convolution of dy by w
//   weight_grad:  dw = sum over rows and output pixels of dy ⊗ x's window; db = sum of dy (when BIAS is 1)
// x: [rows, C_IN, H, W], w: [C_OUT, C_IN, KS, KS] (PyTorch's layout), y and dy: [rows, C_OUT, HO, WO] with
// HO = floor((H + 2 PAD - KS) / STRIDE) + 1. Binding numbers are distinct across the file; each entry point binds
// only the ones it uses. Grids may be 2-D (more than 65,535 workgroups): an invocation's number is
// gid.x + gid.y·(nwg.x·WG), a workgroup's (weight_grad) wid.y·nwg.x + wid.x. (On lavapipe the first is ~1.5x
// faster for light kernels than a number built from workgroup_id and local_invocation_index.)
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C_IN: u32;
override C_OUT: u32;
override H: u32;
override W: u32;
override KS: u32;
override STRIDE: u32 = 1u;
override PAD: u32 = 0u;
override ACT: u32 = 0u;
override BIAS: u32 = 1u;
override FLAT: u32 = 0u;
override HO: u32 = (H + 2u * PAD - KS) / STRIDE + 1u;
override WO: u32 = (W + 2u * PAD - KS) / STRIDE + 1u;

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read> x: array<f32>;          // [rows, C_IN, H, W]
@group(0) @binding(1) var<storage, read> w: array<f32>;          // [C_OUT, C_IN, KS, KS]
@group(0) @binding(2) var<storage, read> bias: array<f32>;       // [C_OUT]
@group(0) @binding(3) var<storage, read_write> y: array<f32>;    // [rows, C_OUT, HO, WO]
@group(0) @binding(4) var<storage, read> dy: array<f32>;         // [rows, C_OUT, HO, WO]
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;   // [rows, C_IN, H, W]
@group(0) @binding(6) var<storage, read_write> dw: array<f32>;   // [C_OUT, C_IN, KS, KS]
@group(0) @binding(7) var<storage, read_write> db: array<f32>;   // [C_OUT]

fn act(v: f32) -> f32 {
  if (ACT == 1u) {
    return 1.0 / (1.0 + exp(-v));
  }
  if (ACT == 2u) {
    return max(v, 0.0);
  }
  return v;
}

// x[plane row `row_base`, column ix] or 0 where ix is in the padding; the load is always in bounds.
fn x_at(row_base: u32, ix: i32) -> f32 {
  let v = x[row_base + u32(clamp(ix, 0, i32(W) - 1))];
  return select(0.0, v, ix >= 0 && ix < i32(W));
}

// dy at column ox of an output row, or 0 outside [0, WO); the load is always in bounds.
fn dy_at(row_base: u32, ox: i32) -> f32 {
  let v = dy[row_base + u32(clamp(ox, 0, i32(WO) - 1))];
  return select(0.0, v, ox >= 0 && ox < i32(WO));
}

// forward: one invocation per 4 output channels x 4 output pixels (16 sums from 4 weight and 4 input loads per
// kernel tap). FLAT 0: 4 neighbouring pixels of one output row; FLAT 1 (the wrapper's choice for WO < 4, where a
// row quad would be mostly padding): 4 consecutive pixels of the flattened HO x WO plane, at more index arithmetic
// per tap. Channels past C_OUT and pixels past the row or plane are computed on clamped indices and not stored.
@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * WG);
  if (FLAT == 1u) {
    forward_plane(i);
  } else {
    forward_row(i);
  }
}

fn forward_row(i: u32) {
  let co_quads = (C_OUT + 3u) / 4u;
  let ox_quads = (WO + 3u) / 4u;
  if (i >= step.rows * co_quads * HO * ox_quads) {
    return;
  }
  let ox0 = (i % ox_quads) * 4u;
  let oy = (i / ox_quads) % HO;
  let co0 = (i / (ox_quads * HO)) % co_quads * 4u;
  let r = i / (ox_quads * HO * co_quads);
  let taps = C_IN * KS * KS;
  let last = C_OUT - 1u;
  let wrow = vec4u(min(co0, last), min(co0 + 1u, last), min(co0 + 2u, last), min(co0 + 3u, last)) * taps;
  let ix0 = i32(ox0 * STRIDE) - i32(PAD);
  let s = i32(STRIDE);
  var acc0 = vec4<f32>(0.0); // the 4 channels at pixel ox0, then ox0 + 1, ...
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var ci = 0u; ci < C_IN; ci++) {
    for (var ky = 0u; ky < KS; ky++) {
      let iy = i32(oy * STRIDE + ky) - i32(PAD);
      if (iy < 0 || iy >= i32(H)) {
        continue;
      }
      let xrow = ((r * C_IN + ci) * H + u32(iy)) * W;
      let tap0 = (ci * KS + ky) * KS;
      for (var kx = 0u; kx < KS; kx++) {
        let t = tap0 + kx;
        let wv = vec4<f32>(w[wrow.x + t], w[wrow.y + t], w[wrow.z + t], w[wrow.w + t]);
        let ix = ix0 + i32(kx);
        acc0 += wv * x_at(xrow, ix);
        acc1 += wv * x_at(xrow, ix + s);
        acc2 += wv * x_at(xrow, ix + 2 * s);
        acc3 += wv * x_at(xrow, ix + 3 * s);
      }
    }
  }
  store_quad(array<vec4<f32>, 4>(acc0, acc1, acc2, acc3), r, co0, oy * WO + ox0, (oy + 1u) * WO);
}

// y for 4 channels from co0 (those below C_OUT) at 4 consecutive pixels from p of row r's planes (those below end):
// accs[j][c] is channel co0 + c at pixel p + j.
fn store_quad(accs: array<vec4<f32>, 4>, r: u32, co0: u32, p: u32, end: u32) {
  for (var c = 0u; c < 4u; c++) {
    let co = co0 + c;
    if (co >= C_OUT) {
      break;
    }
    let b = bias[co];
    let yplane = (r * C_OUT + co) * HO * WO;
    for (var j = 0u; j < 4u; j++) {
      if (p + j < end) {
        y[yplane + p + j] = act(accs[j][c] + b);
      }
    }
  }
}

fn forward_plane(i: u32) {
  let co_quads = (C_OUT + 3u) / 4u;
  let plane = HO * WO;
  let p_quads = (plane + 3u) / 4u;
  if (i >= step.rows * co_quads * p_quads) {
    return;
  }
  let p0 = (i % p_quads) * 4u;
  let co0 = (i / p_quads) % co_quads * 4u;
  let r = i / (p_quads * co_quads);
  let taps = C_IN * KS * KS;
  let last = C_OUT - 1u;
  let wrow = vec4u(min(co0, last), min(co0 + 1u, last), min(co0 + 2u, last), min(co0 + 3u, last)) * taps;
  let p = min(vec4u(p0, p0 + 1u, p0 + 2u, p0 + 3u), vec4u(plane - 1u));
  let iy0 = vec4<i32>((p / WO) * STRIDE) - vec4<i32>(i32(PAD));
  let ix0 = vec4<i32>((p % WO) * STRIDE) - vec4<i32>(i32(PAD));
  var acc0 = vec4<f32>(0.0); // the 4 channels at pixel p0, then p0 + 1, ...
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var ci = 0u; ci < C_IN; ci++) {
    let xplane = (r * C_IN + ci) * H;
    for (var ky = 0u; ky < KS; ky++) {
      let iy = iy0 + vec4<i32>(i32(ky));
      let row_in = (iy >= vec4<i32>(0)) & (iy < vec4<i32>(i32(H)));
      let xrow = (vec4u(clamp(iy, vec4<i32>(0), vec4<i32>(i32(H) - 1))) + vec4u(xplane)) * W;
      let tap0 = (ci * KS + ky) * KS;
      for (var kx = 0u; kx < KS; kx++) {
        let t = tap0 + kx;
        let wv = vec4<f32>(w[wrow.x + t], w[wrow.y + t], w[wrow.z + t], w[wrow.w + t]);
        let ix = ix0 + vec4<i32>(i32(kx));
        let inside = row_in & (ix >= vec4<i32>(0)) & (ix < vec4<i32>(i32(W)));
        let at = xrow + vec4u(clamp(ix, vec4<i32>(0), vec4<i32>(i32(W) - 1)));
        let xv = select(vec4<f32>(0.0), vec4<f32>(x[at.x], x[at.y], x[at.z], x[at.w]), inside);
        acc0 += wv * xv.x;
        acc1 += wv * xv.y;
        acc2 += wv * xv.z;
        acc3 += wv * xv.w;
      }
    }
  }
  store_quad(array<vec4<f32>, 4>(acc0, acc1, acc2, acc3), r, co0, p0, plane);
}

// input_grad: one invocation per 4 input channels x 4 input pixels of one row that share a stride phase
// (ix = phase + STRIDE * (4 q + j)), so the same kernel columns reach all four: dx[ix] sums
// dy[oy, ox] w[ky, kx] over oy * STRIDE + ky - PAD = iy and ox * STRIDE + kx - PAD = ix.
@compute @workgroup_size(WG)
fn input_grad(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let ci_quads = (C_IN + 3u) / 4u;
  let ix_quads = ((W + STRIDE - 1u) / STRIDE + 3u) / 4u; // quads of one phase's columns
  let per_row = STRIDE * ix_quads;
  let i = gid.x + gid.y * (nwg.x * WG);
  if (i >= step.rows * ci_quads * H * per_row) {
    return;
  }
  let u = i % per_row;
  let phase = u % STRIDE;
  let q0 = (u / STRIDE) * 4u;
  let iy = (i / per_row) % H;
  let ci0 = (i / (per_row * H)) % ci_quads * 4u;
  let r = i / (per_row * H * ci_quads);
  let kk = KS * KS;
  let last = C_IN - 1u;
  let wcol = vec4u(min(ci0, last), min(ci0 + 1u, last), min(ci0 + 2u, last), min(ci0 + 3u, last)) * kk;
  let s = i32(STRIDE);
  var acc0 = vec4<f32>(0.0); // the 4 input channels at column phase + STRIDE * q0, then q0 + 1, ...
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  let ky0 = (iy + PAD) % STRIDE;
  let kx0 = (phase + PAD) % STRIDE;
  for (var co = 0u; co < C_OUT; co++) {
    let wbase = co * C_IN * kk;
    for (var ky = ky0; ky < KS; ky += STRIDE) {
      let oy = (i32(iy + PAD) - i32(ky)) / s; // exact: ky has iy + PAD's phase
      if (oy < 0 || oy >= i32(HO)) {
        continue;
      }
      let dyrow = ((r * C_OUT + co) * HO + u32(oy)) * WO;
      for (var kx = kx0; kx < KS; kx += STRIDE) {
        let ox = (i32(phase + PAD) - i32(kx)) / s + i32(q0);
        let t = wbase + ky * KS + kx;
        let wv = vec4<f32>(w[wcol.x + t], w[wcol.y + t], w[wcol.z + t], w[wcol.w + t]);
        acc0 += wv * dy_at(dyrow, ox);
        acc1 += wv * dy_at(dyrow, ox + 1);
        acc2 += wv * dy_at(dyrow, ox + 2);
        acc3 += wv * dy_at(dyrow, ox + 3);
      }
    }
  }
  let accs = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  for (var c = 0u; c < 4u; c++) {
    let ci = ci0 + c;
    if (ci >= C_IN) {
      break;
    }
    let xrow = ((r * C_IN + ci) * H + iy) * W;
    for (var j = 0u; j < 4u; j++) {
      let ix = phase + STRIDE * (q0 + j);
      if (ix < W) {
        dx[xrow + ix] = accs[j][c];
      }
    }
  }
}

// weight_grad: one workgroup per 4 output channels x 4 consecutive taps of the flattened (ci, ky, kx) kernel (16
// weights; flattened so that 1x1 and 3x3 kernels fill all four); its WG invocations split the step's rows·HO·WO
// output pixels, then their partial sums are added in workgroup memory. The workgroups of the first taps also sum
// dy for db.
var<workgroup> partial: array<vec4<f32>, WG * 5u>; // [5 sums][WG]: 4 taps of dw (each 4 channels), db

@compute @workgroup_size(WG)
fn weight_grad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let co_quads = (C_OUT + 3u) / 4u;
  let kk = KS * KS;
  let taps = C_IN * kk;
  let tap_quads = (taps + 3u) / 4u;
  let g = wid.y * nwg.x + wid.x; // uniform across the workgroup
  if (g >= co_quads * tap_quads) {
    return;
  }
  let t0 = (g % tap_quads) * 4u;
  let co0 = g / tap_quads * 4u;
  let with_db = BIAS == 1u && t0 == 0u;
  // Each tap's input plane and kernel offsets (taps past the end repeat the last one and are not stored).
  let t = min(vec4u(t0, t0 + 1u, t0 + 2u, t0 + 3u), vec4u(taps - 1u));
  let plane_in = (t / kk) * (H * W);
  let ky = vec4<i32>((t % kk) / KS) - vec4<i32>(i32(PAD));
  let kx = vec4<i32>((t % kk) % KS) - vec4<i32>(i32(PAD));
  let last = C_OUT - 1u;
  let plane = HO * WO;
  let dyplane = vec4u(min(co0, last), min(co0 + 1u, last), min(co0 + 2u, last), min(co0 + 3u, last)) * plane;
  var acc0 = vec4<f32>(0.0); // the 4 channels' weights at tap t0, then t0 + 1, ...
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  var acc_b = vec4<f32>(0.0);
  let n = step.rows * plane;
  for (var e = lid; e < n; e += WG) {
    let r = e / plane;
    let p = e % plane;
    let d = r * C_OUT * plane + p;
    let gv = vec4<f32>(dy[d + dyplane.x], dy[d + dyplane.y], dy[d + dyplane.z], dy[d + dyplane.w]);
    if (with_db) {
      acc_b += gv;
    }
    let iy = vec4<i32>(i32((p / WO) * STRIDE)) + ky;
    let ix = vec4<i32>(i32((p % WO) * STRIDE)) + kx;
    let inside = (iy >= vec4<i32>(0)) & (iy < vec4<i32>(i32(H))) & (ix >= vec4<i32>(0)) & (ix < vec4<i32>(i32(W)));
    let at = vec4u(clamp(iy, vec4<i32>(0), vec4<i32>(i32(H) - 1)) * i32(W) + clamp(ix, vec4<i32>(0), vec4<i32>(i32(W) - 1))) + plane_in + r * C_IN * H * W;
    let xv = select(vec4<f32>(0.0), vec4<f32>(x[at.x], x[at.y], x[at.z], x[at.w]), inside);
    acc0 += gv * xv.x;
    acc1 += gv * xv.y;
    acc2 += gv * xv.z;
    acc3 += gv * xv.w;
  }
  partial[lid] = acc0;
  partial[WG + lid] = acc1;
  partial[2u * WG + lid] = acc2;
  partial[3u * WG + lid] = acc3;
  partial[4u * WG + lid] = acc_b;
  workgroupBarrier();
  // One barrier, then 5 invocations each add one sum's WG partials in order (cheaper on CPU Vulkan than a tree).
  if (lid >= 5u || (lid == 4u && !with_db)) {
    return;
  }
  var total = vec4<f32>(0.0);
  for (var k = 0u; k < WG; k++) {
    total += partial[lid * WG + k];
  }
  for (var c = 0u; c < 4u; c++) {
    let co = co0 + c;
    if (co >= C_OUT) {
      break;
    }
    if (lid == 4u) {
      db[co] = total[c];
    } else if (t0 + lid < taps) {
      dw[co * taps + t0 + lid] = total[c];
    }
  }
}
