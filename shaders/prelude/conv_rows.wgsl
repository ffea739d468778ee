// The output layout of the contraction template for a convolution as implicit GEMM: one product row per pixel of a
// [rows, N, GRID_H, GRID_W] output (N channels: the output channels of a forward, the input channels of an input
// gradient), r = (row · GRID_H + y) · GRID_W + x; dW [N, K] is PyTorch's [C_OUT, C_IN, KS, KS] (k_stored: the weight
// gradient's columns are the output channels). For shaders/linear.wgsl as it is; conv_rows_subgroup.wgsl adds the
// vec4 functions of shaders/linear_subgroup.wgsl. linear_rows.wgsl is the dense layout, with the same functions;
// prelude/conv_window.wgsl reads x at the same pixels.
override GRID_H: u32;
override GRID_W: u32;
override GRID: u32 = GRID_H * GRID_W;

fn m_rows() -> u32 {
  return step.rows * GRID;
}

fn out_index(r: u32, n: u32) -> u32 {
  return ((r / GRID) * N + n) * GRID + r % GRID;
}

fn dw_index(k: u32, n: u32) -> u32 {
  return n * K + k_stored(k);
}
