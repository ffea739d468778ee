// conv_window.wgsl's loads for shaders/linear.wgsl: one k per load (prelude/x_f32.wgsl).
fn x_load(row: XRow, c: u32) -> XChunk {
  return x_one(row, c);
}
