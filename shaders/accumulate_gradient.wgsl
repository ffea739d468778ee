// A minibatch whose activations would not fit one storage binding trains as chunks of rows (src/train/steps.ts
// chunkSteps). Each chunk's backward writes the gradients of its rows into the trainables' gradient buffers, as an
// unchunked step does; the loss divides by the whole minibatch's rows (Step.batch), so the chunks' gradients add
// up to the minibatch's. These entry points add them up, in a buffer beside each gradient (train/gradient_chunks.ts):
//   begin:  sum = grad     after a step's first chunk
//   add:    sum += grad    after each later chunk but the last
//   finish: grad += sum    after the last, so the optimizer reads the trainable's own gradient, as unchunked
// Read and written a vec4 at a time (prelude/vec4_grid.wgsl): gradient buffers are padded to whole vec4s with zeros.
override COUNT: u32; // elements of the gradient, fixed when the kernel is created

@group(0) @binding(0) var<storage, read> grad: array<vec4f>;             // [ceil(COUNT / 4)] (begin, add)
@group(0) @binding(1) var<storage, read_write> sum: array<vec4f>;        // [ceil(COUNT / 4)] (begin, add)
@group(0) @binding(0) var<storage, read_write> last_grad: array<vec4f>;  // [ceil(COUNT / 4)] (finish)
@group(0) @binding(1) var<storage, read> earlier_sum: array<vec4f>;      // [ceil(COUNT / 4)] (finish)

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn begin(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = vec4_index(gid, nwg);
  if (inside(i)) {
    sum[i] = grad[i];
  }
}

@compute @workgroup_size(WG)
fn add(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = vec4_index(gid, nwg);
  if (inside(i)) {
    sum[i] += grad[i];
  }
}

@compute @workgroup_size(WG)
fn finish(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = vec4_index(gid, nwg);
  if (inside(i)) {
    last_grad[i] += earlier_sum[i];
  }
}
