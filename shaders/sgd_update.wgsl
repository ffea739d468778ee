// Minibatch SGD: param -= lr * grad. The gradient is already the minibatch mean (dlogits carries 1/rows).
struct Sgd {
  lr: f32,
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
  param[i] -= sgd.lr * grad[i];
}
