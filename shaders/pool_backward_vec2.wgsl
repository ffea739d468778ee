// pool_backward.wgsl for an even height and width: the same dx, one invocation per 2x2 window, reading a and
// writing dx as two vec2 rows (on lavapipe each load or store with a computed address costs a per-lane loop, so
// 5 of them per window instead of 12; max pooling finds its argmax in the values already loaded).
//   avg (POOL 0): dx = dy[window] / 4;  max (POOL 1): dx = dy[window] at the window's first maximum in row-major
//   order, else 0; then dx *= act'(a): ACT 1 sigmoid a·(1 - a), ACT 2 ReLU [a > 0], ACT 0 none.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C: u32;  // channels
override H: u32;  // input height, even
override W: u32;  // input width, even
override POOL: u32 = 0u;
override ACT: u32 = 0u;
override HO: u32 = H / 2u;
override WO: u32 = W / 2u;

@group(0) @binding(0) var<storage, read> a: array<vec2<f32>>;        // [rows, C, H, W / 2]: the pooling's input
@group(0) @binding(1) var<storage, read> dy: array<f32>;             // [rows, C, HO, WO]
@group(0) @binding(2) var<storage, read_write> dx: array<vec2<f32>>; // [rows, C, H, W / 2]

override WG: u32 = 64;

fn slope(g: vec2<f32>, v: vec2<f32>) -> vec2<f32> {
  if (ACT == 1u) {
    return g * v * (1.0 - v);
  }
  if (ACT == 2u) {
    return select(vec2<f32>(0.0), g, v > vec2<f32>(0.0));
  }
  return g;
}

// One invocation per output element (window).
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= step.rows * C * HO * WO) {
    return;
  }
  let plane = i / (HO * WO); // r * C + c
  let p = i % (HO * WO);
  let top = (plane * H + 2u * (p / WO)) * WO + p % WO; // vec2 index of the window's top row (W / 2 = WO vec2s a row)
  let bottom = top + WO;
  let u = a[top];
  let v = a[bottom];
  let g = dy[i];
  var gu = vec2<f32>(0.25 * g);
  var gv = gu;
  if (POOL == 1u) {
    // the first maximum in row-major order: u.x, u.y, v.x, v.y
    let m = max(max(u.x, u.y), max(v.x, v.y));
    let k = select(select(select(3u, 2u, v.x == m), 1u, u.y == m), 0u, u.x == m);
    gu = vec2<f32>(select(0.0, g, k == 0u), select(0.0, g, k == 1u));
    gv = vec2<f32>(select(0.0, g, k == 2u), select(0.0, g, k == 3u));
  }
  dx[top] = slope(gu, u);
  dx[bottom] = slope(gv, v);
}
