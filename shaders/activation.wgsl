// An activation as its own layer (nn.ReLU(), nn.Sigmoid()), element-wise over a step's [rows, N] values, in the one
// encoding every kernel uses (ACTIVATION_CODES: ACT 1 sigmoid, 2 ReLU). Two entry points:
//   forward:  y = act(x)
//   backward: dx = dy * act'(.) from the forward's output y: sigmoid y(1 - y), ReLU [y > 0]
// 2-D grids of any size (kernels/kernel.ts, spreadGrid), four values an invocation where N % 4 == 0 (prelude/quads.wgsl).
// Prepended by the loader: `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl; ACT, act and act_slope:
// prelude/activation_fn.wgsl; VALUES and first_value: prelude/quads.wgsl.
override N: u32;        // values per row

@group(0) @binding(0) var<storage, read> x: array<f32>;          // forward: the input; backward: the forward's output y
@group(0) @binding(1) var<storage, read> dy: array<f32>;         // backward: ∂l/∂y (not a binding of forward)
@group(0) @binding(2) var<storage, read_write> out: array<f32>;  // forward: y; backward: ∂l/∂x

override WG: u32 = 64;
override RUN: u32 = N; // prelude/quads.wgsl: a row's values may be taken four at a time

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = first_value(gid, nwg);
  if (i < step.rows * N) {
    var v: vec4f;
    for (var j = 0u; j < VALUES; j++) {
      v[j] = x[i + j];
    }
    let y = act4(v);
    for (var j = 0u; j < VALUES; j++) {
      out[i + j] = y[j];
    }
  }
}

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = first_value(gid, nwg);
  if (i < step.rows * N) {
    var y: vec4f;
    var g: vec4f;
    for (var j = 0u; j < VALUES; j++) {
      y[j] = x[i + j];
      g[j] = dy[i + j];
    }
    let d = act_slope4(g, y);
    for (var j = 0u; j < VALUES; j++) {
      out[i + j] = d[j];
    }
  }
}
