// Minibatch SGD with L2 weight decay, as torch.optim.SGD(weight_decay=wd): param -= lr * (grad + wd * param).
// d2l 4.5's concise version decays only the weights; biases take plain sgd_update.wgsl.
struct Sgd {
  lr: f32,
  wd: f32,
}
override COUNT: u32; // elements in param and grad, fixed when the kernel is created
// Read and written a vec4 at a time (on lavapipe a load costs the same whatever its width): buffers are padded to
// whole vec4s with zeros (gpu/buffers.ts), and the padding stays zero (a zero param with a zero gradient).

@group(0) @binding(0) var<uniform> sgd: Sgd;
@group(0) @binding(1) var<storage, read_write> param: array<vec4f>; // [ceil(COUNT / 4)]
@group(0) @binding(2) var<storage, read> grad: array<vec4f>;        // [ceil(COUNT / 4)]

override WG: u32 = 64;

// A 2-D grid, so that any tensor fits the 65,535 workgroups of one dimension (kernels/kernel.ts, spreadGrid).
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * WG);
  if (i >= (COUNT + 3u) / 4u) {
    return;
  }
  let p = param[i];
  param[i] = p - sgd.lr * (grad[i] + sgd.wd * p);
}
