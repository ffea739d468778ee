// 2x2 pooling with stride 2 (LeNet's AvgPool2d(2, 2) / MaxPool2d(2, 2)): each output is the mean (POOL 0) or
// the maximum (POOL 1) of its window. Odd sizes are floored, as PyTorch does: the last row/column is dropped.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C: u32;  // channels
override H: u32;  // input height
override W: u32;  // input width
override POOL: u32 = 0u;
override HO: u32 = H / 2u;
override WO: u32 = W / 2u;

@group(0) @binding(0) var<storage, read> x: array<f32>;          // [rows, C, H, W]
@group(0) @binding(1) var<storage, read_write> y: array<f32>;    // [rows, C, HO, WO]

override WG: u32 = 64;

// One invocation per output element.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= step.rows * C * HO * WO) {
    return;
  }
  let plane = i / (HO * WO); // r * C + c
  let p = i % (HO * WO);
  let base = (plane * H + 2u * (p / WO)) * W + 2u * (p % WO);
  let a = x[base];
  let b = x[base + 1u];
  let c = x[base + W];
  let d = x[base + W + 1u];
  if (POOL == 1u) {
    y[i] = max(max(a, b), max(c, d));
  } else {
    y[i] = (a + b + c + d) * 0.25;
  }
}
