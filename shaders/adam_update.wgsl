// Adam, as torch.optim.Adam(lr, betas, eps, weight_decay) without AMSGrad (weight decay is added to the gradient,
// as PyTorch's Adam does; AdamW would decay the weights apart from it):
//   g = grad + wd * param
//   m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g * g
//   param -= (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// t is the step count on the GPU (step_count[0], already advanced for this step by optimizer_step_count.wgsl), so
// nothing is read or written by the CPU per step; the bias corrections are computed here from it.
struct Adam {
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  wd: f32,
}
override COUNT: u32; // elements in param, grad, exp_avg and exp_avg_sq, fixed when the kernel is created
// A vec4 at a time, as sgd_update.wgsl: buffers are padded to whole vec4s with zeros (gpu/buffers.ts), and the
// padding stays zero (zero gradient and moments: m / (0 + eps) is 0).

@group(0) @binding(0) var<uniform> adam: Adam;
@group(0) @binding(1) var<storage, read_write> param: array<vec4f>;      // [ceil(COUNT / 4)]
@group(0) @binding(2) var<storage, read> grad: array<vec4f>;             // [ceil(COUNT / 4)]
@group(0) @binding(3) var<storage, read_write> exp_avg: array<vec4f>;    // [ceil(COUNT / 4)]: m
@group(0) @binding(4) var<storage, read_write> exp_avg_sq: array<vec4f>; // [ceil(COUNT / 4)]: v
@group(0) @binding(5) var<storage, read> step_count: array<f32>;         // [1]: t, counting this step

override WG: u32 = 64;

// A 2-D grid, so that any tensor fits the 65,535 workgroups of one dimension (kernels/kernel.ts, spreadGrid).
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * WG);
  if (i >= (COUNT + 3u) / 4u) {
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
