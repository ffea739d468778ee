// Gradient of the loss with respect to b: column sums of dlogits.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override N: u32; // outputs per row (the classes, for a last layer), fixed when the kernel is created

@group(0) @binding(0) var<storage, read> dlogits: array<f32>;    // [rows, N]
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
