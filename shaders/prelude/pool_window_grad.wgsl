// The gradient through one 2x2 pooling window and the pooled activation's slope, for the kernels that take it as
// vec2 rows (prepended by the loader): pool_backward.wgsl (windows_2x2) and prelude/conv2d_dy_unpool.wgsl.
//   avg (POOL 0): each element gets g / 4;  max (POOL 1): g goes to the window's first maximum in row-major
//   order, 0 elsewhere; then times act'(a): ACT 1 sigmoid a·(1 - a), ACT 2 ReLU [a > 0], ACT 0 none.
override POOL: u32 = 0u;
override ACT: u32 = 0u;

// The gradient of the window's top and bottom rows (the pooling's input values `top`, `bottom`) from g, the
// gradient of its output; for the mean the values are not read.
fn pool_window_grad(g: f32, top: vec2<f32>, bottom: vec2<f32>) -> array<vec2<f32>, 2> {
  if (POOL == 1u) {
    let m = max(max(top.x, top.y), max(bottom.x, bottom.y));
    let k = select(select(select(3u, 2u, bottom.x == m), 1u, top.y == m), 0u, top.x == m);
    return array<vec2<f32>, 2>(vec2<f32>(select(0.0, g, k == 0u), select(0.0, g, k == 1u)), vec2<f32>(select(0.0, g, k == 2u), select(0.0, g, k == 3u)));
  }
  let q = vec2<f32>(0.25 * g);
  return array<vec2<f32>, 2>(q, q);
}

// g times act'(a), from the activation's output a (named `out` here: wgsl_reflect counts a parameter named as a
// binding, pool_backward.wgsl's `a`, as a use of that binding).
fn activation_slope(g: vec2<f32>, out: vec2<f32>) -> vec2<f32> {
  if (ACT == 1u) {
    return g * out * (1.0 - out);
  }
  if (ACT == 2u) {
    return select(vec2<f32>(0.0), g, out > vec2<f32>(0.0));
  }
  return g;
}
