// An activation as its own layer (nn.ReLU(), nn.Sigmoid()), element-wise over a step's [rows, N] values, in the one
// encoding every kernel uses (ACTIVATION_CODES: ACT 1 sigmoid, 2 ReLU). Two entry points:
//   forward:  y = act(x)
//   backward: dx = dy * act'(.) from the forward's output y: sigmoid y(1 - y), ReLU [y > 0]
// 2-D grids of any size (kernels/kernel.ts, spreadGrid), four values an invocation where N % 4 == 0 (prelude/quads.wgsl).
// Prepended by the loader: `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl; ACT, act and act_slope:
// prelude/activation_fn.wgsl; QUAD and first_value: prelude/quads.wgsl.
override N: u32;        // values per row

@group(0) @binding(0) var<storage, read> x: array<f32>;          // forward: the input; backward: the forward's output y
@group(0) @binding(1) var<storage, read> dy: array<f32>;         // backward: ∂l/∂y (not a binding of forward)
@group(0) @binding(2) var<storage, read_write> out: array<f32>;  // forward: y; backward: ∂l/∂x

override WG: u32 = 64;

fn x4(i: u32) -> vec4f {
  return vec4f(x[i], x[i + 1u], x[i + 2u], x[i + 3u]);
}

fn store4(i: u32, v: vec4f) {
  out[i] = v.x;
  out[i + 1u] = v.y;
  out[i + 2u] = v.z;
  out[i + 3u] = v.w;
}

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = first_value(gid, nwg);
  if (i >= step.rows * N) {
    return;
  }
  if (QUAD) {
    store4(i, act4(x4(i)));
  } else {
    out[i] = act(x[i]);
  }
}

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = first_value(gid, nwg);
  if (i >= step.rows * N) {
    return;
  }
  if (QUAD) {
    store4(i, act_slope4(vec4f(dy[i], dy[i + 1u], dy[i + 2u], dy[i + 3u]), x4(i)));
  } else {
    out[i] = act_slope(dy[i], x[i]);
  }
}
