// Gradient of 2x2 / stride-2 pooling with respect to its input, times the derivative of the activation that
// produced that input (fused: the pooled tensor is an activation's output a):
//   avg (POOL 0): dx = dy[window] / 4;  max (POOL 1): dx = dy[window] where this element is the window's first
//   maximum in row-major order (the argmax is recomputed from a, as PyTorch's first-max rule picks it), else 0
//   then dx *= act'(a): ACT 1 sigmoid a·(1 - a), ACT 2 ReLU [a > 0], ACT 0 none.
// Elements outside every window (the last row/column of an odd size) get 0.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C: u32;  // channels
override H: u32;  // input height
override W: u32;  // input width
override POOL: u32 = 0u;
override ACT: u32 = 0u;
override HO: u32 = H / 2u;
override WO: u32 = W / 2u;

@group(0) @binding(0) var<storage, read> a: array<f32>;          // [rows, C, H, W]: the pooling's input
@group(0) @binding(1) var<storage, read> dy: array<f32>;         // [rows, C, HO, WO]
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;   // [rows, C, H, W]

override WG: u32 = 64;

// One invocation per input element.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= step.rows * C * H * W) {
    return;
  }
  let plane = i / (H * W); // r * C + c
  let p = i % (H * W);
  let iy = p / W;
  let ix = p % W;
  let py = iy / 2u;
  let px = ix / 2u;
  if (py >= HO || px >= WO) {
    dx[i] = 0.0;
    return;
  }
  let v = a[i];
  var g = dy[(plane * HO + py) * WO + px];
  if (POOL == 1u) {
    let base = (plane * H + 2u * py) * W + 2u * px;
    var best = base;
    var best_value = a[base];
    for (var k = 1u; k < 4u; k++) {
      let j = base + (k / 2u) * W + (k % 2u);
      if (a[j] > best_value) {
        best_value = a[j];
        best = j;
      }
    }
    g = select(0.0, g, best == i);
  } else {
    g *= 0.25;
  }
  if (ACT == 1u) {
    g *= v * (1.0 - v);
  } else if (ACT == 2u) {
    g = select(0.0, g, v > 0.0);
  }
  dx[i] = g;
}
