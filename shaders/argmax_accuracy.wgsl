// Predicted class = argmax of each row (the first one on ties, like torch.argmax), and the count of correct
// predictions added to a running total that stays on the GPU for the whole epoch.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override N: u32; // outputs per row (the classes, for a last layer), fixed when the kernel is created

@group(0) @binding(0) var<storage, read> logits: array<f32>;              // [rows, N] (or probabilities: same argmax)
@group(0) @binding(1) var<storage, read> y: array<u32>;                   // [rows]
@group(0) @binding(2) var<storage, read_write> predictions: array<u32>;   // [rows]
@group(0) @binding(3) var<storage, read_write> correct: array<atomic<u32>>; // [1] running count

override WG: u32 = 64;
var<workgroup> hits: atomic<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = gid.x;
  if (r < step.rows) {
    let base = r * N;
    var best = 0u;
    var best_value = logits[base];
    for (var n = 1u; n < N; n++) {
      let v = logits[base + n];
      if (v > best_value) {
        best_value = v;
        best = n;
      }
    }
    predictions[r] = best;
    if (best == y[r]) {
      atomicAdd(&hits, 1u);
    }
  }
  // One global atomic per workgroup instead of one per row.
  workgroupBarrier();
  if (lid == 0u) {
    atomicAdd(&correct[0], atomicLoad(&hits));
  }
}
