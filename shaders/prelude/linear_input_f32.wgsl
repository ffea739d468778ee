// The prologue of shaders/linear.wgsl for an f32 input: x is a layer's activations, [rows, K] row-major, read one
// value (one k) per load (the chunk's functions: prelude/x_f32.wgsl). linear_input_u8.wgsl is the other prologue,
// with the same functions.
@group(0) @binding(0) var<storage, read> x: array<f32>; // [rows, K] row-major

alias XRow = u32; // where a row starts (x_row)

// Where row r of the step starts in x, in loads.
fn x_row(r: u32) -> u32 {
  return r * K;
}

// Load c of a row (k = c * X_CHUNK .. + X_CHUNK - 1).
fn x_load(row: u32, c: u32) -> XChunk {
  return x[row + c];
}
