// A convolution's output gradient dy as it is, for conv2d_weight_grad_subgroup (prepended by the loader; the kernel
// declares C_OUT, HO, WO2 and calls dy_pair).
@group(0) @binding(1) var<storage, read> dy: array<vec2<f32>>; // [rows, C_OUT, HO, WO / 2]

// dy[r, co, oy, 2c .. 2c + 1].
fn dy_pair(r: u32, co: u32, oy: u32, c: u32) -> vec2<f32> {
  return dy[((r * C_OUT + co) * HO + oy) * WO2 + c];
}
