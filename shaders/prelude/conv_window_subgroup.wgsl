// conv_window.wgsl's loads for shaders/linear_subgroup.wgsl: a chunk is 4 consecutive k (prelude/x_vec4_subgroup.wgsl).
fn x_load(row: XRow, c: u32) -> XChunk {
  let k = 4u * c;
  if (SRC_C % 4u == 0u) {
    let at = x_tap(row, k / SRC_C, k % SRC_C, true);
    let plane = SRC_H * SRC_W;
    return select(vec4f(0.0), vec4f(x[at.x], x[at.x + plane], x[at.x + 2u * plane], x[at.x + 3u * plane]), at.y == 1u);
  }
  return vec4f(x_one(row, k), x_one(row, k + 1u), x_one(row, k + 2u), x_one(row, k + 3u));
}
