// The prologue of shaders/linear_subgroup.wgsl for an f32 input: x, [rows, K] row-major, read as vec4 (K % 4 == 0).
// A chunk (one load) is one part: the 4 values of k one lane passes to the others by subgroupShuffle.
// linear_input_u8_subgroup.wgsl is the other prologue, with the same functions.
@group(0) @binding(0) var<storage, read> x: array<vec4f>; // [rows, K / 4] row-major

alias XRow = u32;       // where a row starts (x_row)
alias XChunk = vec4f;     // what one load of x gives
alias XPart = vec4f;      // what one shuffle passes: 4 values of k
const X_PARTS: u32 = 1u;  // parts per chunk
const X_ROWS: u32 = 4u * X_PARTS; // values of k per chunk
// The weight gradient adds each row's product into its accumulators (false), or sums the SG rows in flight apart
// first (true): each input keeps the summation order it was tuned and checked with.
const X_PARTIAL: bool = false;

// Where row r of the step starts in x, in chunks.
fn x_row(r: u32) -> u32 {
  return r * (K / 4u);
}

fn x_load(row: u32, c: u32) -> XChunk {
  return x[row + c];
}

// Part t of a chunk.
fn x_part(chunk: XChunk, t: u32) -> XPart {
  return chunk;
}

fn x_unpack(p: XPart) -> vec4f {
  return p;
}

fn x_scale(acc: vec4f) -> vec4f {
  return acc;
}

fn x_label(r: u32) {}
