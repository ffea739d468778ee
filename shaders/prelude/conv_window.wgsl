// The prologue of the contraction template (shaders/linear_subgroup.wgsl with conv_window_subgroup.wgsl's x_load,
// shaders/linear.wgsl with conv_window_scalar.wgsl's) for a convolution as implicit GEMM: product row r is one pixel
// (y, x) of the GRID_H x GRID_W grid of prelude/conv_rows.wgsl, and its K = SRC_C · KS² values of k =
// (ky, kx, c) are the source pixels its window reaches, read from a [rows, SRC_C, SRC_H, SRC_W] tensor with zeros
// outside it: source row sy = (y · ROW_STRIDE + TAP_SIGN · ky + OFFSET) / DIV where that divides exactly, the same
// for columns. Nothing is copied: the window is gathered as the loads go.
//   forward (x):           ROW_STRIDE = stride, TAP_SIGN 1, OFFSET -padding, DIV 1; the grid is the output's
//   input gradient (dy):   ROW_STRIDE 1, TAP_SIGN -1, OFFSET padding, DIV = stride; the grid is the input's
//     (dx[iy] takes dy[oy] where oy · stride + ky - padding = iy, the transposed convolution)
override SRC_C: u32;
override SRC_H: u32;
override SRC_W: u32;
override KS: u32;
override ROW_STRIDE: u32 = 1u;
override TAP_SIGN: i32 = 1;
override OFFSET: i32 = 0;
override DIV: u32 = 1u;

@group(0) @binding(0) var<storage, read> x: array<f32>; // [rows, SRC_C, SRC_H, SRC_W]

alias XRow = vec3i; // (where the row's sample starts in x, window row and column before the taps)

fn x_row(r: u32) -> XRow {
  let p = r % GRID;
  let y = i32((p / GRID_W) * ROW_STRIDE) + OFFSET;
  let x0 = i32((p % GRID_W) * ROW_STRIDE) + OFFSET;
  return vec3i(i32((r / GRID) * SRC_C * SRC_H * SRC_W), y, x0);
}

// k runs over (ky, kx, c), channels fastest: where SRC_C % 4 == 0 a chunk's 4 values are one tap of 4 channels, so
// one window position and one bounds check serve its 4 loads (the packed weights' rows are in the same order:
// conv2d_weight_pack's tap_major). Otherwise each k is decoded alone.
fn x_tap(row: XRow, tap: u32, c: u32, valid: bool) -> vec2<u32> {
  let ny = row.y + TAP_SIGN * i32(tap / KS);
  let nx = row.z + TAP_SIGN * i32(tap % KS);
  let sy = ny / i32(DIV);
  let sx = nx / i32(DIV);
  var inside = valid && ny >= 0 && nx >= 0 && sy < i32(SRC_H) && sx < i32(SRC_W);
  if (DIV > 1u) {
    inside = inside && ny % i32(DIV) == 0 && nx % i32(DIV) == 0;
  }
  // (where x is, in bounds even outside the source; 1 where it is inside)
  let i = u32(row.x) + (min(c, SRC_C - 1u) * SRC_H + u32(clamp(sy, 0, i32(SRC_H) - 1))) * SRC_W + u32(clamp(sx, 0, i32(SRC_W) - 1));
  return vec2<u32>(i, u32(inside));
}

fn x_one(row: XRow, k: u32) -> f32 {
  let at = x_tap(row, min(k / SRC_C, KS * KS - 1u), k % SRC_C, k < K);
  return select(0.0, x[at.x], at.y == 1u);
}

// Where k's weight gradient goes in PyTorch's [.., SRC_C, KS, KS] (c, ky, kx) order.
fn k_stored(k: u32) -> u32 {
  return (k % SRC_C) * KS * KS + k / SRC_C;
}
