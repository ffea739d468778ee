// The prologue of shaders/linear_subgroup.wgsl for an f32 input: x, [rows, K] row-major, read as vec4 (K % 4 == 0).
// A chunk (one load) is one part: the 4 values of k one lane passes to the others by subgroupShuffle (the chunk's
// functions: prelude/x_vec4_subgroup.wgsl). linear_input_u8_subgroup.wgsl is the other prologue, with the same
// functions.
@group(0) @binding(0) var<storage, read> x: array<vec4f>; // [rows, K / 4] row-major

alias XRow = u32; // where a row starts (x_row)

// Where row r of the step starts in x, in chunks.
fn x_row(r: u32) -> u32 {
  return r * (K / 4u);
}

fn x_load(row: u32, c: u32) -> XChunk {
  return x[row + c];
}
