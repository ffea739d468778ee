// A convolution's input as f32 activations, for the subgroup convolution kernels (prepended by the loader; the
// kernel declares C_IN, H, W (even), MAX_XW and calls these): x read as vec2s, two pixels per load.
@group(0) @binding(0) var<storage, read> x: array<vec2<f32>>; // [rows, C_IN, H, W / 2]

// Where row r's input starts, for input_row.
fn input_base(r: u32) -> u32 {
  return r * C_IN * H * (W / 2u);
}

// Pixels x0 .. x0 + 2·pairs - 1 of input row iy of channel ci (x0 even), zero outside the image.
fn input_row(base: u32, ci: u32, iy: i32, x0: i32, pairs: u32) -> array<f32, MAX_XW> {
  var xs: array<f32, MAX_XW>;
  let row_ok = iy >= 0 && iy < i32(H);
  let row = base + (ci * H + u32(clamp(iy, 0, i32(H) - 1))) * (W / 2u);
  for (var c = 0u; c < pairs; c++) {
    let ix = x0 + 2 * i32(c);
    var v = vec2<f32>(0.0);
    if (row_ok && ix >= 0 && ix < i32(W)) {
      v = x[row + u32(ix) / 2u];
    }
    xs[2u * c] = v.x;
    xs[2u * c + 1u] = v.y;
  }
  return xs;
}

// The step's labels: only the u8 input has them (conv2d_input_u8.wgsl).
fn write_targets(r: u32) {}
