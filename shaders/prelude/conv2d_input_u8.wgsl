// A convolution's input straight from the resident u8 dataset, for the first layer of a network (prepended by
// the loader; the kernel declares C_IN, H, W (even), MAX_XW and calls these): row r of the minibatch is sample
// order[row0 + r], its pixels / 255 as gather_minibatch.wgsl computes them (the same f32 values), four pixels per
// load, and the kernel can write the step's labels (write_targets) so no gather dispatch runs.
@group(0) @binding(0) var<storage, read> images: array<u32>;      // [count, C_IN·H·W / 4] u8 pixels, 4 per word
@group(0) @binding(8) var<storage, read> order: array<u32>;       // [count] sample index at each epoch position
@group(0) @binding(9) var<storage, read> labels: array<u32>;      // [count] class index
@group(0) @binding(10) var<storage, read_write> targets: array<u32>; // [rows] the step's labels

// Where row r's image starts (a pixel index), for input_row.
fn input_base(r: u32) -> u32 {
  return order[step.row0 + r] * C_IN * H * W;
}

// Pixels x0 .. x0 + 2·pairs - 1 of input row iy of channel ci (x0 even), zero outside the image. W is even, so a
// pair never straddles a word: the words covering the row are loaded once, and pair c is half h + c of them,
// h (0 or 1) where the row's first pair falls in its word: a select between two constant-indexed candidates, not
// an array index that varies (lavapipe would gather that per lane).
fn input_row(base: u32, ci: u32, iy: i32, x0: i32, pairs: u32) -> array<f32, MAX_XW> {
  let row_ok = iy >= 0 && iy < i32(H);
  let first = i32(base + (ci * H + u32(clamp(iy, 0, i32(H) - 1))) * W) + x0; // pixel index of x0: even, may be < 0
  let h = (first >> 1u) & 1; // which half of its word the first pair is
  let word0 = first >> 2u;   // floor(first / 4)
  let last = i32(arrayLength(&images)) - 1;
  var words: array<vec4<u32>, MAX_XW / 4u + 2u>;
  for (var k = 0u; k <= pairs / 2u; k++) {
    words[k] = unpack4xU8(images[clamp(word0 + i32(k), 0, last)]);
  }
  var xs: array<f32, MAX_XW>;
  for (var c = 0u; c < pairs; c++) {
    let even = words[c / 2u];        // h == 0: pair c is half c % 2 of word c / 2
    let odd = words[(c + 1u) / 2u];  // h == 1: half (c + 1) % 2 of word (c + 1) / 2
    let a = select(even.xy, even.zw, c % 2u == 1u);
    let b = select(odd.xy, odd.zw, c % 2u == 0u);
    let ix = x0 + 2 * i32(c);
    var v = vec2<f32>(select(a, b, h == 1)) / 255.0;
    if (!(row_ok && ix >= 0 && ix < i32(W))) {
      v = vec2<f32>(0.0);
    }
    xs[2u * c] = v.x;
    xs[2u * c + 1u] = v.y;
  }
  return xs;
}

fn write_targets(r: u32) {
  targets[r] = labels[order[step.row0 + r]];
}
