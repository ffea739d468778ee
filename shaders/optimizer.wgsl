// The optimizers' updates, one entry point each, as torch.optim's: SGD (plain, with L2 weight decay, with momentum)
// and Adam (its step count, then its update). Each updates COUNT parameters from their gradient, already the
// minibatch mean (dlogits carries 1/rows), in place.
//   sgd:              param -= lr * grad
//   sgd_weight_decay: param -= lr * (grad + wd * param)   (torch.optim.SGD(weight_decay=wd); d2l 4.5's concise
//                     version decays only the weights: biases take `sgd`)
//   sgd_momentum:     d = grad + wd * param;  buf = momentum * buf + d;  param -= lr * buf
//                     (torch.optim.SGD(lr, momentum, weight_decay) without dampening or Nesterov. PyTorch's first
//                     step sets buf = d; here buf starts as zeros, and momentum * 0 + d is d exactly, so no step
//                     count is needed. Parameters without weight decay are bound with a uniform whose wd is 0.)
//   adam_step_count:  t += 1, once per training step before the adam updates that read it
//   adam:             g = grad + wd * param
//                     m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g * g
//                     param -= (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
//                     (torch.optim.Adam without AMSGrad: weight decay is added to the gradient, as PyTorch's Adam
//                     does; AdamW would decay the weights apart from it)
// Adam's step count t lives on the GPU (a [1] f32, as PyTorch keeps state['step']), so nothing is read or written
// by the CPU per step; the bias corrections are computed from it. As an f32 it counts exactly to 2^24 steps; past
// that the corrections are 1 to the last bit anyway.
struct Sgd {
  lr: f32,
  wd: f32,       // sgd_weight_decay, sgd_momentum
  momentum: f32, // sgd_momentum
}
struct Adam {
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  wd: f32,
}
override COUNT: u32; // elements in param, grad and each state buffer, fixed when the kernel is created
// Read and written a vec4 at a time (on lavapipe a load costs the same whatever its width; prelude/vec4_grid.wgsl):
// buffers are padded to whole vec4s with zeros (gpu/buffers.ts), and the padding stays zero (zero parameter, gradient and state; Adam's
// m / (0 + eps) is 0).

@group(0) @binding(0) var<uniform> sgd: Sgd;
@group(0) @binding(0) var<uniform> adam: Adam;
@group(0) @binding(1) var<storage, read_write> param: array<vec4f>;           // [ceil(COUNT / 4)]
@group(0) @binding(2) var<storage, read> grad: array<vec4f>;                  // [ceil(COUNT / 4)]
@group(0) @binding(3) var<storage, read_write> momentum_buffer: array<vec4f>; // [ceil(COUNT / 4)]
@group(0) @binding(3) var<storage, read_write> exp_avg: array<vec4f>;         // [ceil(COUNT / 4)]: m
@group(0) @binding(4) var<storage, read_write> exp_avg_sq: array<vec4f>;      // [ceil(COUNT / 4)]: v
// [1]: t, counting this step (adam only reads it; read_write because adam_step_count advances it)
@group(0) @binding(5) var<storage, read_write> step_count: array<f32>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn sgd_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = vec4_index(gid, nwg);
  if (inside(i)) {
    param[i] -= sgd.lr * grad[i];
  }
}

@compute @workgroup_size(WG)
fn sgd_weight_decay(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = vec4_index(gid, nwg);
  if (inside(i)) {
    let p = param[i];
    param[i] = p - sgd.lr * (grad[i] + sgd.wd * p);
  }
}

@compute @workgroup_size(WG)
fn sgd_momentum(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = vec4_index(gid, nwg);
  if (inside(i)) {
    let p = param[i];
    let buf = sgd.momentum * momentum_buffer[i] + (grad[i] + sgd.wd * p);
    momentum_buffer[i] = buf;
    param[i] = p - sgd.lr * buf;
  }
}

@compute @workgroup_size(1)
fn adam_step_count() {
  step_count[0] += 1.0;
}

@compute @workgroup_size(WG)
fn adam_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = vec4_index(gid, nwg);
  if (!inside(i)) {
    return;
  }
  let t = step_count[0];
  let step_size = adam.lr / (1.0 - pow(adam.beta1, t));
  let correction2 = sqrt(1.0 - pow(adam.beta2, t));
  let p = param[i];
  let g = grad[i] + adam.wd * p;
  let m = adam.beta1 * exp_avg[i] + (1.0 - adam.beta1) * g;
  let v = adam.beta2 * exp_avg_sq[i] + (1.0 - adam.beta2) * g * g;
  exp_avg[i] = m;
  exp_avg_sq[i] = v;
  // PyTorch's order: denom = sqrt(v) / sqrt(1 - beta2^t) + eps; param -= step_size * (m / denom).
  param[i] = p - step_size * (m / (sqrt(v) / correction2 + adam.eps));
}
