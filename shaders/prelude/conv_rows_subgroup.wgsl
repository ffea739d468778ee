// The output layout of shaders/linear_subgroup.wgsl for a convolution as implicit GEMM: one product row per pixel of
// a [rows, N, GRID_H, GRID_W] output (N channels: the output channels of a forward, the input channels of an input
// gradient), r = (row · GRID_H + y) · GRID_W + x; dW [N, K] is PyTorch's [C_OUT, C_IN, KS, KS] (k_stored: the weight
// gradient's columns are the output channels). linear_rows_subgroup.wgsl is the other layout, with the same
// functions; prelude/conv_window_subgroup.wgsl reads x at the same pixels.
override GRID_H: u32;
override GRID_W: u32;
override GRID: u32 = GRID_H * GRID_W;

@group(0) @binding(6) var<storage, read_write> out: array<f32>; // [rows, N, GRID_H, GRID_W]
@group(0) @binding(7) var<storage, read> dy: array<f32>;        // [rows, N, GRID_H, GRID_W] ∂l/∂(layer output)
@group(0) @binding(10) var<storage, read_write> dw: array<f32>; // [N, K]

fn m_rows() -> u32 {
  return step.rows * GRID;
}

// Where channel 4q of product row r is: 4 planes apart.
fn plane_at(r: u32, q: u32) -> u32 {
  return ((r / GRID) * N + 4u * q) * GRID + r % GRID;
}

fn out_store(r: u32, q: u32, v: vec4f) {
  let i = plane_at(r, q);
  out[i] = v.x;
  out[i + GRID] = v.y;
  out[i + 2u * GRID] = v.z;
  out[i + 3u * GRID] = v.w;
}

fn dy_load(r: u32, q: u32) -> vec4f {
  let i = plane_at(r, q);
  return vec4f(dy[i], dy[i + GRID], dy[i + 2u * GRID], dy[i + 3u * GRID]);
}

fn dw_store(k: u32, q: u32, v: vec4f) {
  let i = 4u * q * K + k_stored(k);
  dw[i] = v.x;
  dw[i + K] = v.y;
  dw[i + 2u * K] = v.z;
  dw[i + 3u * K] = v.w;
}
