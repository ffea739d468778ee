// An activation as its own layer (nn.ReLU(), nn.Sigmoid()), element-wise over a step's [rows, N] values, in the one
// encoding every kernel uses (ACTIVATION_CODES: ACT 1 sigmoid, 2 ReLU). Two entry points:
//   forward:  y = act(x)
//   backward: dx = dy * act'(.) from the forward's output y: sigmoid y(1 - y), ReLU [y > 0]
// 2-D grids of any size (kernels/kernel.ts, spreadGrid).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override N: u32;        // values per row
override ACT: u32 = 2u;

@group(0) @binding(0) var<storage, read> x: array<f32>;          // forward: the input; backward: the forward's output y
@group(0) @binding(1) var<storage, read> dy: array<f32>;         // backward: ∂l/∂y (not a binding of forward)
@group(0) @binding(2) var<storage, read_write> out: array<f32>;  // forward: y; backward: ∂l/∂x

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * WG);
  if (i >= step.rows * N) {
    return;
  }
  let v = x[i];
  out[i] = select(max(v, 0.0), 1.0 / (1.0 + exp(-v)), ACT == 1u);
}

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * WG);
  if (i >= step.rows * N) {
    return;
  }
  let y = x[i];
  out[i] = select(select(0.0, dy[i], y > 0.0), dy[i] * y * (1.0 - y), ACT == 1u);
}
