// BatchNorm (PyTorch's BatchNorm1d/2d, d2l 7.5) over a step's [rows, C, HW] values, four entry points:
//   statistics  (training) each channel's mean and biased variance over the step's rows and pixels, kept for the
//               other kernels as mean and invstd = 1/sqrt(var + EPS), and the running statistics moved towards them
//               by MOMENTUM with the unbiased variance, as PyTorch does:
//                 running = (1 - MOMENTUM) * running + MOMENTUM * statistic
//               Two passes over the channel (mean, then the squared deviations), which keeps the variance accurate
//               where the mean is large.
//   forward     y = act(weight * (x - mean) * spread + bias) per channel. In training (TRAINING 1) mean and spread
//               are the step's statistics (spread = invstd); in evaluation (TRAINING 0) the running mean and running
//               variance (spread = var, inverted here), as model.eval() does in PyTorch. act: the ReLU or Sigmoid
//               that follows the BatchNorm in its Sequential (ACT, prelude/activation_fn.wgsl; 0 none), so that no
//               separate activation pass or buffer is needed.
//   grad_reduce the parameter gradients (training statistics): dbias[c] = sum(g), dweight[c] = sum(g * xhat),
//               xhat = (x - mean) * invstd, g = dy * act'(y) (dy with respect to the activation's output y, its
//               slope read from y itself; g = dy where ACT is 0); both sums are also what input_grad needs.
//   input_grad  the input gradient in training, where the statistics depend on every input of the channel:
//                 dx = weight * invstd / n * (n * g - dbias - xhat * dweight),  n = rows * HW
// statistics and grad_reduce: one workgroup of REDUCE_WG per channel, a tree reduction in workgroup memory;
// forward and input_grad: VALUES values an invocation (four where a channel's pixels come in fours, else one), on a
// 2-D grid so that any tensor fits (kernels/kernel.ts, spreadGrid).
// Prepended by the loader: `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl; ACT with act, act_slope:
// prelude/activation_fn.wgsl; VALUES and first_value: prelude/quads.wgsl.
override C: u32;   // channels (features of BatchNorm1d)
override HW: u32;  // pixels per channel (1 for BatchNorm1d)
override EPS: f32 = 1e-5;
override MOMENTUM: f32 = 0.1;
override TRAINING: u32 = 1u;

// Each buffer is read_write where one entry point writes it (mean, invstd by statistics; dweight, dbias by
// grad_reduce), and read by the others.
@group(0) @binding(0) var<storage, read> x: array<f32>;                   // [rows, C, HW] the forward's input
@group(0) @binding(1) var<storage, read> dy: array<f32>;                  // [rows, C, HW]
@group(0) @binding(2) var<storage, read_write> mean: array<f32>;          // [C] the step's mean (or the running mean)
@group(0) @binding(3) var<storage, read_write> invstd: array<f32>;        // [C] the step's 1/sqrt(var + EPS)
@group(0) @binding(4) var<storage, read> weight: array<f32>;              // [C] scale (gamma)
@group(0) @binding(5) var<storage, read> bias: array<f32>;                // [C] shift (beta)
@group(0) @binding(6) var<storage, read_write> dweight: array<f32>;       // [C] sum(dy * xhat)
@group(0) @binding(7) var<storage, read_write> dbias: array<f32>;         // [C] sum(dy)
@group(0) @binding(8) var<storage, read_write> running_mean: array<f32>;  // [C]
@group(0) @binding(9) var<storage, read_write> running_var: array<f32>;   // [C]
@group(0) @binding(10) var<storage, read> spread: array<f32>;             // [C] invstd (training) or running variance
@group(0) @binding(11) var<storage, read_write> y: array<f32>;            // [rows, C, HW] after act (read back for its slope)
@group(0) @binding(12) var<storage, read_write> dx: array<f32>;           // [rows, C, HW]

override WG: u32 = 64;
// Invocations per channel of statistics and grad_reduce, a power of 2 (gpu/tuning.ts Tuning.normReduce: 64 on
// lavapipe, where a wider workgroup's longer tree of barriers costs more than its loads save).
override REDUCE_WG: u32 = 256;
var<workgroup> sums: array<vec2f, REDUCE_WG>;

// forward and input_grad take four consecutive values an invocation, all of one channel, where a channel's pixels
// come in fours, and the reductions read fours (prelude/quads.wgsl: VALUES, first_value); elsewhere (BatchNorm1d,
// odd maps) one.
override RUN: u32 = HW;

// The index of value i of channel c, counting the channel's values over rows and pixels.
fn channel_at(c: u32, i: u32) -> u32 {
  return ((i / HW) * C + c) * HW + i % HW;
}

// The sum of every invocation's sums[lid]: a tree reduction, between barriers so that sums may be refilled after.
fn workgroup_sum(lid: u32) -> vec2f {
  workgroupBarrier();
  for (var k = REDUCE_WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) {
      sums[lid] += sums[lid + k];
    }
    workgroupBarrier();
  }
  let total = sums[0];
  workgroupBarrier();
  return total;
}

// This invocation's shares of sum(x - m) and of sum((x - m)^2) over channel c's n values, VALUES at a time:
// statistics takes the first with m = 0 (for the mean), then the second with m the mean (for the variance).
fn channel_sums(c: u32, n: u32, m: f32, lid: u32) -> vec2f {
  var acc = vec2f(0.0);
  for (var i = lid * VALUES; i < n; i += REDUCE_WG * VALUES) {
    let at = channel_at(c, i);
    for (var j = 0u; j < VALUES; j++) {
      let d = x[at + j] - m;
      acc += vec2f(d, d * d);
    }
  }
  return acc;
}

@compute @workgroup_size(REDUCE_WG)
fn statistics(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  let n = step.rows * HW;
  sums[lid] = channel_sums(c, n, 0.0, lid);
  let m = workgroup_sum(lid).x / f32(n);
  sums[lid] = channel_sums(c, n, m, lid);
  let squares = workgroup_sum(lid).y;
  if (lid == 0u) {
    let v = squares / f32(n);
    mean[c] = m;
    invstd[c] = inverseSqrt(v + EPS);
    // PyTorch's running variance is unbiased (n - 1); one value per channel has none, and keeps its variance.
    let unbiased = select(v, squares / f32(n - 1u), n > 1u);
    running_mean[c] = (1.0 - MOMENTUM) * running_mean[c] + MOMENTUM * m;
    running_var[c] = (1.0 - MOMENTUM) * running_var[c] + MOMENTUM * unbiased;
  }
}

// Channel c's scale: the step's invstd, or, in evaluation, 1/sqrt(running variance + EPS).
fn scale_of(c: u32) -> f32 {
  if (TRAINING == 0u) {
    return inverseSqrt(spread[c] + EPS);
  }
  return spread[c];
}

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = first_value(gid, nwg);
  if (i >= step.rows * C * HW) {
    return;
  }
  let c = (i / HW) % C;
  var v: vec4f;
  for (var j = 0u; j < VALUES; j++) {
    v[j] = x[i + j];
  }
  let r = act4(weight[c] * (v - mean[c]) * scale_of(c) + bias[c]);
  for (var j = 0u; j < VALUES; j++) {
    y[i + j] = r[j];
  }
}

@compute @workgroup_size(REDUCE_WG)
fn grad_reduce(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  let n = step.rows * HW;
  let m = mean[c];
  let s = invstd[c];
  var acc = vec2f(0.0);
  for (var i = lid * VALUES; i < n; i += REDUCE_WG * VALUES) {
    let at = channel_at(c, i);
    for (var j = 0u; j < VALUES; j++) {
      let g = act_slope(dy[at + j], y[at + j]);
      acc += vec2f(g, g * (x[at + j] - m) * s);
    }
  }
  sums[lid] = acc;
  let total = workgroup_sum(lid);
  if (lid == 0u) {
    dbias[c] = total.x;
    dweight[c] = total.y;
  }
}

@compute @workgroup_size(WG)
fn input_grad(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = first_value(gid, nwg);
  let n = f32(step.rows * HW);
  if (i >= step.rows * C * HW) {
    return;
  }
  let c = (i / HW) % C;
  let s = invstd[c];
  var xv: vec4f;
  var h: vec4f;
  var g: vec4f;
  for (var j = 0u; j < VALUES; j++) {
    xv[j] = x[i + j];
    h[j] = y[i + j];
    g[j] = dy[i + j];
  }
  let d = weight[c] * s / n * (n * act_slope4(g, h) - dbias[c] - (xv - mean[c]) * s * dweight[c]);
  for (var j = 0u; j < VALUES; j++) {
    dx[i + j] = d[j];
  }
}
