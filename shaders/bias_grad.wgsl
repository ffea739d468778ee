// Gradient of the loss with respect to b: column sums of dlogits (main), or per-channel sums of a convolution's
// output gradient over its rows and P pixels (planes).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override N: u32; // outputs per row (the classes, for a last layer), fixed when the kernel is created

override P: u32 = 1u; // pixels per channel plane (planes)

@group(0) @binding(0) var<storage, read> dlogits: array<f32>;    // [rows, N] (main), [rows, N, P] (planes)
@group(0) @binding(1) var<storage, read_write> db: array<f32>;   // [N]

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  if (n >= N) {
    return;
  }
  var acc = 0.0;
  for (var r = 0u; r < step.rows; r++) {
    acc += dlogits[r * N + n];
  }
  db[n] = acc;
}

// One workgroup per channel: its WG invocations split the rows·P values, then one adds their partial sums in order.
var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn planes(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let n = wid.x;
  var acc = 0.0;
  for (var e = lid; e < step.rows * P; e += WG) {
    acc += dlogits[((e / P) * N + n) * P + e % P];
  }
  partial[lid] = acc;
  workgroupBarrier();
  if (lid == 0u) {
    var total = 0.0;
    for (var i = 0u; i < WG; i++) {
      total += partial[i];
    }
    db[n] = total;
  }
}
