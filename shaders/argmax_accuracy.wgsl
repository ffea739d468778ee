// Predicted class = argmax of each row (the first one on ties, like torch.argmax), and the count of correct
// predictions added to a running total that stays on the GPU for the whole epoch.
// One minibatch step (16 bytes, one 256-byte slot per step of an epoch, written once).
struct Step {
  row0: u32,     // first position of this minibatch in the sample order
  rows: u32,     // samples in this minibatch; the last one of an epoch may be partial
  features: u32, // K = 784 pixels
  classes: u32,  // N = 10
}
@group(1) @binding(0) var<uniform> step: Step;

@group(0) @binding(0) var<storage, read> logits: array<f32>;              // [rows, classes] (or probabilities: same argmax)
@group(0) @binding(1) var<storage, read> y: array<u32>;                   // [rows]
@group(0) @binding(2) var<storage, read_write> predictions: array<u32>;   // [rows]
@group(0) @binding(3) var<storage, read_write> correct: array<atomic<u32>>; // [1] running count

override WG: u32 = 64;
var<workgroup> hits: atomic<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = gid.x;
  if (r < step.rows) {
    let base = r * step.classes;
    var best = 0u;
    var best_value = logits[base];
    for (var n = 1u; n < step.classes; n++) {
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
