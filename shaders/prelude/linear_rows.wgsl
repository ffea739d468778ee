// The output layout of shaders/linear.wgsl for a dense layer: the product's rows are the step's rows, and out, dy and
// dW are row-major. conv_rows.wgsl is the other layout, with the same functions.

// Rows of the product in this step.
fn m_rows() -> u32 {
  return step.rows;
}

// Where column n of product row r is in out and dy.
fn out_index(r: u32, n: u32) -> u32 {
  return r * N + n;
}

// Where row k, column n of dW is.
fn dw_index(k: u32, n: u32) -> u32 {
  return k * N + n;
}
