// Repacks convolution weights so the convolution kernels load 4 channels with one vec4 load: w viewed as
// [OUTER, A, T] becomes [OUTER, T, A4] vec4s (A padded with zeros to 4·A4). On lavapipe each load is issued
// per SIMD lane even when every lane reads the same weight, so 4 weights per load is 4x fewer of them.
//   conv2d_forward_subgroup: OUTER 1, A = C_OUT, T = C_IN·KS² -> [C_IN·KS², C_OUT/4]
//   an input gradient (conv2d_general.wgsl's sum): OUTER C_OUT, A = C_IN, T = KS² -> [C_OUT, KS², C_IN/4]
//   conv2d_forward_subgroup as an input gradient: the same with FLIP, the taps reversed (the kernel rotated by 180°)
// tap_major, for the contraction template's convolutions (kernels/conv2d_implicit_gemm.ts), whose k runs over
// (tap, channel): rows R = t · OUTER + o of A4 vec4s over a, from w [A, OUTER, T] (the forward: A = C_OUT, OUTER =
// C_IN) or, with TRANSPOSE, w [OUTER, A, T] (the input gradient: OUTER = C_OUT, A = C_IN); T = KS². Either layout
// may end in TAIL zero rows, so that chunks of 4 k past K read zeros.
override OUTER: u32;
override A: u32;
override T: u32;
override FLIP: bool = false;
override A4: u32 = (A + 3u) / 4u;
override TAIL: u32 = 0u;
override TRANSPOSE: bool = false;

@group(0) @binding(0) var<storage, read> w: array<f32>;                 // [OUTER, A, T] (PyTorch's conv layout)
@group(0) @binding(1) var<storage, read_write> packed: array<vec4<f32>>; // [OUTER · T + TAIL, A4]

override WG: u32 = 64;

fn at(o: u32, a: u32, t: u32) -> f32 {
  return select(0.0, w[(o * A + min(a, A - 1u)) * T + t], a < A);
}

// Whether packed vec4 i holds weights; past them, the TAIL rows' vec4s are zeroed here.
fn in_weights(i: u32) -> bool {
  if (i >= OUTER * T * A4 && i < (OUTER * T + TAIL) * A4) {
    packed[i] = vec4<f32>(0.0);
  }
  return i < OUTER * T * A4;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (!in_weights(i)) {
    return;
  }
  let o = i / (T * A4);
  let tp = (i / A4) % T;
  let t = select(tp, T - 1u - tp, FLIP);
  let a = (i % A4) * 4u;
  packed[i] = vec4<f32>(at(o, a, t), at(o, a + 1u, t), at(o, a + 2u, t), at(o, a + 3u, t));
}

@compute @workgroup_size(WG)
fn tap_major(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (!in_weights(i)) {
    return;
  }
  let row = i / A4;
  let o = row % OUTER;
  let t = row / OUTER;
  let a = (i % A4) * 4u;
  var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j++) {
    let aj = min(a + j, A - 1u);
    let src = select((aj * OUTER + o) * T + t, (o * A + aj) * T + t, TRANSPOSE);
    v[j] = select(0.0, w[src], a + j < A);
  }
  packed[i] = v;
}
