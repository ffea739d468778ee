// SGD with momentum, as torch.optim.SGD(lr, momentum, weight_decay) without dampening or Nesterov:
//   d = grad + wd * param;  buf = momentum * buf + d;  param -= lr * buf
// PyTorch's first step sets buf = d; here buf starts as zeros, and momentum * 0 + d is d exactly, so the kernel
// needs no step count. Parameters without weight decay (biases, d2l 4.5) are bound with a uniform whose wd is 0.
struct Sgd {
  lr: f32,
  wd: f32,
  momentum: f32,
}
override COUNT: u32; // elements in param, grad and momentum_buffer, fixed when the kernel is created
// A vec4 at a time, as sgd_update.wgsl: buffers are padded to whole vec4s with zeros (gpu/buffers.ts), and the
// padding stays zero (zero param, gradient and buffer).

@group(0) @binding(0) var<uniform> sgd: Sgd;
@group(0) @binding(1) var<storage, read_write> param: array<vec4f>;           // [ceil(COUNT / 4)]
@group(0) @binding(2) var<storage, read> grad: array<vec4f>;                  // [ceil(COUNT / 4)]
@group(0) @binding(3) var<storage, read_write> momentum_buffer: array<vec4f>; // [ceil(COUNT / 4)]

override WG: u32 = 64;

// A 2-D grid, so that any tensor fits the 65,535 workgroups of one dimension (kernels/kernel.ts, spreadGrid).
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * WG);
  if (i >= (COUNT + 3u) / 4u) {
    return;
  }
  let p = param[i];
  let buf = sgd.momentum * momentum_buffer[i] + (grad[i] + sgd.wd * p);
  momentum_buffer[i] = buf;
  param[i] = p - sgd.lr * buf;
}
