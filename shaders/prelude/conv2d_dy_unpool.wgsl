// A convolution's output gradient dy made on the fly from the gradient of its activation's 2x2 pooling, for
// conv2d_weight_grad_subgroup (prepended by the loader; the kernel declares C_OUT, HO, WO2 and calls dy_pair):
// pool_backward_vec2.wgsl's sum, so the full-size dy is never written or read again (LeNet's conv1: 4.8 MB).
//   avg (POOL 0): dy = dpooled[window] / 4;  max (POOL 1): dy = dpooled[window] at the window's first maximum of a
//   in row-major order, else 0; then dy *= act'(a): ACT 1 sigmoid a·(1 - a), ACT 2 ReLU [a > 0], ACT 0 none.
// HO and WO are even (a pair of columns is one window).
override POOL: u32 = 0u;
override ACT: u32 = 0u;

@group(0) @binding(1) var<storage, read> a: array<vec2<f32>>;   // [rows, C_OUT, HO, WO / 2]: the activation (the pooling's input)
@group(0) @binding(11) var<storage, read> dpooled: array<f32>;  // [rows, C_OUT, HO / 2, WO / 2]: ∂l/∂ the pooled activation

fn unpool_slope(g: vec2<f32>, v: vec2<f32>) -> vec2<f32> {
  if (ACT == 1u) {
    return g * v * (1.0 - v);
  }
  if (ACT == 2u) {
    return select(vec2<f32>(0.0), g, v > vec2<f32>(0.0));
  }
  return g;
}

// dy[r, co, oy, 2c .. 2c + 1]: window (oy / 2, c).
fn dy_pair(r: u32, co: u32, oy: u32, c: u32) -> vec2<f32> {
  let plane = r * C_OUT + co;
  let g = dpooled[(plane * (HO / 2u) + oy / 2u) * WO2 + c];
  let u = a[(plane * HO + oy) * WO2 + c];
  var gu = vec2<f32>(0.25 * g);
  if (POOL == 1u) {
    // The window's other row, and the first maximum in row-major order: top.x, top.y, bottom.x, bottom.y.
    let v = a[(plane * HO + (oy ^ 1u)) * WO2 + c];
    let first = oy % 2u == 0u;
    let top = select(v, u, first);
    let bottom = select(u, v, first);
    let m = max(max(top.x, top.y), max(bottom.x, bottom.y));
    let k = select(select(select(3u, 2u, bottom.x == m), 1u, top.y == m), 0u, top.x == m);
    let k0 = select(2u, 0u, first); // this row's first position
    gu = vec2<f32>(select(0.0, g, k == k0), select(0.0, g, k == k0 + 1u));
  }
  return unpool_slope(gu, u);
}
