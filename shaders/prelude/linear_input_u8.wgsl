// The prologue of shaders/linear.wgsl for the resident dataset: x = images[order[row0 + r]] / 255, u8 pixels packed
// 4 per word and read a word (4 values of k) per load, never copied to an f32 minibatch. Bytes are summed first and
// divided by 255 once per output (x_scale). The forward also gathers the step's labels into y for the loss.
// The same functions as linear_input_f32.wgsl; K must be a multiple of 4.
@group(0) @binding(0) var<storage, read> images: array<u32>;   // [count, K / 4] u8 pixels packed 4 per word
@group(0) @binding(1) var<storage, read> order: array<u32>;    // [count] sample index at each epoch position
@group(0) @binding(2) var<storage, read> labels: array<u32>;   // [count] (forward only)
@group(0) @binding(3) var<storage, read_write> y: array<u32>;  // [rows] labels of the step's samples (forward only)

alias XRow = u32;
alias XChunk = u32;
const X_CHUNK: u32 = 4u;

fn x_row(r: u32) -> u32 {
  return order[step.row0 + r] * (K / 4u);
}

fn x_load(row: u32, c: u32) -> XChunk {
  return images[row + c];
}

fn x_value(chunk: XChunk, s: u32) -> f32 {
  return f32((chunk >> (8u * s)) & 0xffu);
}

fn x_scale(acc: f32) -> f32 {
  return acc / 255.0;
}

fn x_label(r: u32) {
  y[r] = labels[order[step.row0 + r]];
}
