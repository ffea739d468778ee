// Once per epoch: totals = (sum of per-sample losses, count of hits) over the epoch's positions, by one
// workgroup with a tree reduction. The fused path stores per-sample results instead of reducing each step.
override SAMPLES: u32; // positions in an epoch, fixed when the kernel is created

@group(0) @binding(0) var<storage, read> sample_loss: array<f32>;   // [SAMPLES]
@group(0) @binding(1) var<storage, read> sample_hit: array<u32>;    // [SAMPLES]
@group(0) @binding(2) var<storage, read_write> loss_sum: array<f32>; // [1]
@group(0) @binding(3) var<storage, read_write> correct: array<u32>;  // [1]

const WG: u32 = 256;
var<workgroup> losses: array<f32, WG>;
var<workgroup> hits: array<u32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var l = 0.0;
  var h = 0u;
  for (var i = lid; i < SAMPLES; i += WG) {
    l += sample_loss[i];
    h += sample_hit[i];
  }
  losses[lid] = l;
  hits[lid] = h;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      losses[lid] += losses[lid + s];
      hits[lid] += hits[lid + s];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    loss_sum[0] = losses[0];
    correct[0] = hits[0];
  }
}
