// Gradient of a linear layer y = x·W + b with respect to its input, times the derivative of the activation
// that produced x (fused: x is an activation's output):
//   dx[r, k] = (Σ_n dy[r, n] · W[k, n]) · act'(x[r, k]),  ACT 1 sigmoid x(1 - x), ACT 2 ReLU [x > 0], ACT 0 none
// `x` is read only when ACT != 0 (bind any buffer otherwise).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override K: u32; // the layer's inputs
override N: u32; // the layer's outputs
override ACT: u32 = 0u;

@group(0) @binding(0) var<storage, read> dy: array<f32>;         // [rows, N]
@group(0) @binding(1) var<storage, read> w: array<f32>;          // [K, N] row-major
@group(0) @binding(2) var<storage, read> x: array<f32>;          // [rows, K]: the layer's input
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;   // [rows, K]

override WG: u32 = 64;

// One invocation per element of dx; a row of W is contiguous.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= step.rows * K) {
    return;
  }
  let r = i / K;
  let k = i % K;
  var acc = 0.0;
  for (var n = 0u; n < N; n++) {
    acc += dy[r * N + n] * w[k * N + n];
  }
  if (ACT == 1u) {
    let v = x[i];
    acc *= v * (1.0 - v);
  } else if (ACT == 2u) {
    acc = select(0.0, acc, x[i] > 0.0);
  }
  dx[i] = acc;
}
