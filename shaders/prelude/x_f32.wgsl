// The chunk of an f32 prologue of shaders/linear.wgsl (prelude/linear_input_f32.wgsl, prelude/conv_window_scalar
// .wgsl): one load gives one value of k, used as it is.
alias XChunk = f32;      // what one load of x gives
const X_CHUNK: u32 = 1u; // values of k per load

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
