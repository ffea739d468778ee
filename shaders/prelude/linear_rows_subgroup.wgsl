// The output layout of shaders/linear_subgroup.wgsl for a dense layer: the product's rows are the step's rows, and
// out, dy and dW are row-major with 4 columns per vec4. conv_rows_subgroup.wgsl is the other layout, with the same
// functions.
@group(0) @binding(6) var<storage, read_write> out: array<vec4f>; // [rows, N / 4] row-major
@group(0) @binding(7) var<storage, read> dy: array<vec4f>;        // [rows, N / 4] ∂l/∂(layer output)
@group(0) @binding(10) var<storage, read_write> dw: array<vec4f>; // [K, N / 4] row-major, like W

// Rows of the product in this step.
fn m_rows() -> u32 {
  return step.rows;
}

// Columns 4q..4q+3 of product row r.
fn out_store(r: u32, q: u32, v: vec4f) {
  out[r * (N / 4u) + q] = v;
}

fn dy_load(r: u32, q: u32) -> vec4f {
  return dy[r * (N / 4u) + q];
}

// Row k of dW, columns 4q..4q+3.
fn dw_store(k: u32, q: u32, v: vec4f) {
  dw[k * (N / 4u) + q] = v;
}
