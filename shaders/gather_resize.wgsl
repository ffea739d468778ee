// Gathers one minibatch resized on the fly: x = resize(images[order[row0 + r]]) / 255, y = labels[...], as the
// book's transforms.Resize then ToTensor (bilinear, align_corners=False: F.interpolate's half-pixel centres, no
// antialiasing), read straight from the resident u8 images, so no resized copy of the dataset is ever made.
//   src = max((dst + 0.5) * H / HO - 0.5, 0);  y0 = floor(src), y1 = min(y0 + 1, H - 1), ly = src - y0 (same in x)
//   x[r, c, oy, ox] = ((1-ly)((1-lx) p[y0,x0] + lx p[y0,x1]) + ly((1-lx) p[y1,x0] + lx p[y1,x1])) / 255
// One invocation per output value; 2-D grids (kernels/kernel.ts, spreadGrid).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C: u32;  // channels
override H: u32;  // the stored images' height
override W: u32;  // and width (C·H·W a multiple of 4: pixels are packed 4 per word)
override HO: u32; // the network's input height
override WO: u32; // and width

@group(0) @binding(0) var<storage, read> images: array<u32>;     // [count, C·H·W / 4] u8 pixels packed 4 per word
@group(0) @binding(1) var<storage, read> labels: array<u32>;     // [count] class index
@group(0) @binding(2) var<storage, read> order: array<u32>;      // [count] sample index at each position (the epoch's shuffle)
@group(0) @binding(3) var<storage, read_write> x: array<f32>;    // [rows, C, HO, WO] f32 row-major
@group(0) @binding(4) var<storage, read_write> y: array<u32>;    // [rows]

override WG: u32 = 64;

// The byte at pixel p of the sample whose pixels start at word `base`.
fn pixel(base: u32, p: u32) -> f32 {
  return f32((images[base + p / 4u] >> (8u * (p % 4u))) & 0xffu);
}

// PyTorch's source index for output coordinate `o` of an axis of `size_in` -> `size_out` values.
fn source(o: u32, size_in: u32, size_out: u32) -> f32 {
  return max((f32(o) + 0.5) * (f32(size_in) / f32(size_out)) - 0.5, 0.0);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let per_row = C * HO * WO;
  let i = gid.x + gid.y * (nwg.x * WG);
  if (i >= step.rows * per_row) {
    return;
  }
  let r = i / per_row;
  let j = i % per_row;
  let c = j / (HO * WO);
  let oy = (j / WO) % HO;
  let ox = j % WO;
  let sample = order[step.row0 + r];
  let base = sample * (C * H * W / 4u);
  let sy = source(oy, H, HO);
  let sx = source(ox, W, WO);
  let y0 = u32(sy);
  let x0 = u32(sx);
  let y1 = min(y0 + 1u, H - 1u);
  let x1 = min(x0 + 1u, W - 1u);
  let ly = sy - f32(y0);
  let lx = sx - f32(x0);
  let plane = c * H * W;
  let top = (1.0 - lx) * pixel(base, plane + y0 * W + x0) + lx * pixel(base, plane + y0 * W + x1);
  let bottom = (1.0 - lx) * pixel(base, plane + y1 * W + x0) + lx * pixel(base, plane + y1 * W + x1);
  x[i] = ((1.0 - ly) * top + ly * bottom) / 255.0;
  if (j == 0u) {
    y[r] = labels[sample];
  }
}
