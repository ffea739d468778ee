// An activation applied in place after a linear layer: x = sigmoid(x) (ACT 1) or max(x, 0) (ACT 2).
// In place because the backward pass needs only the output (sigmoid' = a(1 - a), ReLU' = [a > 0]).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override N: u32; // features per row
override ACT: u32 = 1u;

@group(0) @binding(0) var<storage, read_write> x: array<f32>;    // [rows, N]

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= step.rows * N) {
    return;
  }
  let v = x[i];
  if (ACT == 1u) {
    x[i] = 1.0 / (1.0 + exp(-v));
  } else if (ACT == 2u) {
    x[i] = max(v, 0.0);
  }
}
