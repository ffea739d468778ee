// Gathers one minibatch from the dataset resident on the GPU: x = images[order[row0 + r]] / 255, y = labels[...].
// The dataset stays u8 (47 MB for the training set; as f32 it would be 188 MB, past a 128 MiB binding limit).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override K: u32; // features per row (the layer's inputs), fixed when the kernel is created

@group(0) @binding(0) var<storage, read> images: array<u32>;     // [count, features / 4] u8 pixels packed 4 per word
@group(0) @binding(1) var<storage, read> labels: array<u32>;     // [count] class index
@group(0) @binding(2) var<storage, read> order: array<u32>;      // [count] sample index at each position (the epoch's shuffle)
@group(0) @binding(3) var<storage, read_write> x: array<f32>;    // [rows, K] f32 row-major
@group(0) @binding(4) var<storage, read_write> y: array<u32>;    // [rows]

override WG: u32 = 64;

// One invocation per packed word (4 pixels) of one row: x spans words, y spans rows.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let words = K / 4u;
  let r = gid.y;
  let w = gid.x;
  if (r >= step.rows || w >= words) {
    return;
  }
  let sample = order[step.row0 + r];
  let packed = images[sample * words + w];
  let base = r * K + w * 4u;
  for (var i = 0u; i < 4u; i++) {
    x[base + i] = f32((packed >> (8u * i)) & 0xffu) / 255.0;
  }
  if (w == 0u) {
    y[r] = labels[sample];
  }
}
