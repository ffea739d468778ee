// The chunk of an f32 prologue of shaders/linear_subgroup.wgsl (prelude/linear_input_f32_subgroup.wgsl,
// prelude/conv_window_subgroup.wgsl): one load gives 4 values of k as a vec4, which is also the one part a lane
// passes to the others by subgroupShuffle, used as it is.
alias XChunk = vec4f;     // what one load of x gives
alias XPart = vec4f;      // what one shuffle passes: 4 values of k
const X_PARTS: u32 = 1u;  // parts per chunk
const X_ROWS: u32 = 4u * X_PARTS; // values of k per chunk
// The weight gradient adds each row's product into its accumulators (false), or sums the SG rows in flight apart
// first (true): each input keeps the summation order it was tuned and checked with.
const X_PARTIAL: bool = false;

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

// The forward's label gather: an f32 input has no labels to gather.
fn x_label(r: u32) {}
