// A convolution's output gradient dy made on the fly from the gradient of its activation's 2x2 pooling, for
// conv2d_weight_grad_subgroup (prepended by the loader; the kernel declares C_OUT, HO, WO2 and calls dy_pair):
// pool_backward_vec2.wgsl's sum, so the full-size dy is never written or read again (LeNet's conv1: 4.8 MB).
// The window's gradient and the activation's slope (POOL, ACT): prelude/pool_window_grad.wgsl, prepended before.
// HO and WO are even (a pair of columns is one window).
@group(0) @binding(1) var<storage, read> a: array<vec2<f32>>;   // [rows, C_OUT, HO, WO / 2]: the activation (the pooling's input)
@group(0) @binding(11) var<storage, read> dpooled: array<f32>;  // [rows, C_OUT, HO / 2, WO / 2]: ∂l/∂ the pooled activation

// dy[r, co, oy, 2c .. 2c + 1]: window (oy / 2, c).
fn dy_pair(r: u32, co: u32, oy: u32, c: u32) -> vec2<f32> {
  let plane = r * C_OUT + co;
  let g = dpooled[(plane * (HO / 2u) + oy / 2u) * WO2 + c];
  let u = a[(plane * HO + oy) * WO2 + c];
  var v = u;
  if (POOL == 1u) {
    v = a[(plane * HO + (oy ^ 1u)) * WO2 + c]; // the window's other row: only the maximum reads it
  }
  let first = oy % 2u == 0u;
  let d = pool_window_grad(g, select(v, u, first), select(u, v, first));
  return activation_slope(select(d[1], d[0], first), u);
}
