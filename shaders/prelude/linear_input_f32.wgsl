// The prologue of shaders/linear.wgsl for an f32 input: x is a layer's activations, [rows, K] row-major, read one
// value (one k) per load. linear_input_u8.wgsl is the other prologue, with the same functions.
@group(0) @binding(0) var<storage, read> x: array<f32>; // [rows, K] row-major

alias XChunk = f32;      // what one load of x gives
const X_CHUNK: u32 = 1u; // values of k per load

// Where row r of the step starts in x, in loads.
fn x_row(r: u32) -> u32 {
  return r * K;
}

// Load c of a row (k = c * X_CHUNK .. + X_CHUNK - 1).
fn x_load(row: u32, c: u32) -> XChunk {
  return x[row + c];
}

// Value s of a load.
fn x_value(chunk: XChunk, s: u32) -> f32 {
  return chunk;
}

// A finished sum of x times something: x is used as it is.
fn x_scale(acc: f32) -> f32 {
  return acc;
}

// The forward's label gather: an f32 input has no labels to gather.
fn x_label(r: u32) {}
