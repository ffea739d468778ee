// The prologue of shaders/linear_subgroup.wgsl for the resident dataset: x = images[order[row0 + r]] / 255, read 16
// u8 pixels (one vec4u) per load (K % 16 == 0); a part is one word of 4 pixels. On lavapipe every storage load is a
// per-lane loop (about 25-50 ns per subgroup, whatever its width) while a constant-index shuffle is a register move,
// so the widest load wins (docs/benchmark-history.md, "MLP"). Bytes are summed first and divided by 255 once.
@group(0) @binding(0) var<storage, read> images: array<vec4u>; // [count, K / 16] u8 pixels packed 4 per word
@group(0) @binding(1) var<storage, read> order: array<u32>;    // [count] sample index at each epoch position
@group(0) @binding(2) var<storage, read> labels: array<u32>;   // [count] (forward only)
@group(0) @binding(3) var<storage, read_write> y: array<u32>;  // [rows] labels of the step's samples (forward only)

alias XRow = u32;       // where a row starts (x_row)
alias XChunk = vec4u;
alias XPart = u32;
const X_PARTS: u32 = 4u;
const X_ROWS: u32 = 4u * X_PARTS;
// The weight gradient sums the SG rows apart first: the driver masks every update of a variable that a loop
// carries (the accumulators, across rows), so one update per word and pixel, not one per row.
const X_PARTIAL: bool = true;

fn x_row(r: u32) -> u32 {
  return order[step.row0 + r] * (K / 16u);
}

fn x_load(row: u32, c: u32) -> XChunk {
  return images[row + c];
}

fn x_part(chunk: XChunk, t: u32) -> XPart {
  return chunk[t];
}

fn x_unpack(p: XPart) -> vec4f {
  return vec4f(unpack4xU8(p));
}

fn x_scale(acc: vec4f) -> vec4f {
  return acc / 255.0;
}

fn x_label(r: u32) {
  y[r] = labels[order[step.row0 + r]];
}
