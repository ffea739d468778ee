// The linear layer's forward pass, batched over the minibatch: logits = x · W + b.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override K: u32; // features per row (the layer's inputs), fixed when the kernel is created
override N: u32; // outputs per row (the classes, for a last layer), fixed when the kernel is created

@group(0) @binding(0) var<storage, read> x: array<f32>;          // [rows, K] row-major
@group(0) @binding(1) var<storage, read> w: array<f32>;          // [K, N] row-major
@group(0) @binding(2) var<storage, read> b: array<f32>;          // [N]
@group(0) @binding(3) var<storage, read_write> logits: array<f32>; // [rows, N] row-major

override WG: u32 = 64;

// One invocation per output element. Neighbouring invocations share a row of x (same cache lines) and read
// adjacent columns of W, which suits both CPU Vulkan (lavapipe vectorises across invocations) and GPUs.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= step.rows * N) {
    return;
  }
  let r = i / N;
  let n = i % N;
  var acc = 0.0;
  let xr = r * K;
  for (var k = 0u; k < K; k++) {
    acc += x[xr + k] * w[k * N + n];
  }
  logits[i] = acc + b[n];
}
