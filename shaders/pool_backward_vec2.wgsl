// pool_backward.wgsl for an even height and width: the same dx, one invocation per 2x2 window, reading a and
// writing dx as two vec2 rows (on lavapipe each load or store with a computed address costs a per-lane loop, so
// 5 of them per window instead of 12; max pooling finds its argmax in the values already loaded).
// The window's gradient and the activation's slope (POOL, ACT): prelude/pool_window_grad.wgsl.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C: u32;  // channels
override H: u32;  // input height, even
override W: u32;  // input width, even
override HO: u32 = H / 2u;
override WO: u32 = W / 2u;

@group(0) @binding(0) var<storage, read> a: array<vec2<f32>>;        // [rows, C, H, W / 2]: the pooling's input
@group(0) @binding(1) var<storage, read> dy: array<f32>;             // [rows, C, HO, WO]
@group(0) @binding(2) var<storage, read_write> dx: array<vec2<f32>>; // [rows, C, H, W / 2]

override WG: u32 = 64;

// One invocation per output element (window).
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * WG); // a 2-D grid of any size (kernels/kernel.ts, spreadGrid)
  if (i >= step.rows * C * HO * WO) {
    return;
  }
  let plane = i / (HO * WO); // r * C + c
  let p = i % (HO * WO);
  let top = (plane * H + 2u * (p / WO)) * WO + p % WO; // vec2 index of the window's top row (W / 2 = WO vec2s a row)
  let bottom = top + WO;
  let u = a[top];
  let v = a[bottom];
  let d = pool_window_grad(dy[i], u, v);
  dx[top] = activation_slope(d[0], u);
  dx[bottom] = activation_slope(d[1], v);
}
