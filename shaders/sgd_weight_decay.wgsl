// Minibatch SGD with L2 weight decay, as torch.optim.SGD(weight_decay=wd): param -= lr * (grad + wd * param).
// d2l 4.5's concise version decays only the weights; biases take plain sgd_update.wgsl.
struct Sgd {
  lr: f32,
  wd: f32,
}
override COUNT: u32; // elements in param and grad, fixed when the kernel is created

@group(0) @binding(0) var<uniform> sgd: Sgd;
@group(0) @binding(1) var<storage, read_write> param: array<f32>; // [COUNT]
@group(0) @binding(2) var<storage, read> grad: array<f32>;        // [COUNT]

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= COUNT) {
    return;
  }
  let p = param[i];
  param[i] = p - sgd.lr * (grad[i] + sgd.wd * p);
}
