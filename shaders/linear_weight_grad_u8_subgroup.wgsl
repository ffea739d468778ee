enable subgroups;
// linear_weight_grad_u8.wgsl's fast path where the adapter has subgroups of a known size SG, K % 16 == 0 and
// N % 4 == 0: dW = xᵀ · dy with x = images[order[row0 + r]] / 255. Lanes span column quads of dW (one vec4 of dy
// per row); a workgroup's TV chunks of 16 pixels (16 * TV rows of dW) are the same for all its lanes. Rows go SG
// at a time: lane i loads row i's chunks (one vec4u of 16 packed pixels each) and the others take them by
// subgroupShuffle. On lavapipe every storage load is a per-lane loop (about 25-50 ns per subgroup, whatever its
// width) while a constant-index shuffle is a register move: per SG rows this kernel makes SG + TV loads for
// SG * 16 * TV vec4 multiply-adds (docs/benchmark-history.md, "MLP").
// Every accumulator index and shuffle lane must be a constant once the driver unrolls the loops (a dynamic index
// puts the accumulators in memory, a dynamic shuffle becomes a chain of selects): hence one array per chunk,
// indexed only in functions whose word is a constant at each call, and loops of SG iterations with small bodies.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override K: u32; // pixels per image, a multiple of 16 (read 16 at a time: 4 words of 4 packed pixels)
override N: u32; // outputs per row, a multiple of 4 (dy and dW as vec4)

@group(0) @binding(0) var<storage, read> images: array<vec4u>;    // [count, K / 16] u8 pixels packed 4 per word
@group(0) @binding(1) var<storage, read> order: array<u32>;       // [count] sample index at each epoch position
@group(0) @binding(2) var<storage, read> dy: array<vec4f>;        // [rows, N / 4] ∂l/∂(layer output)
@group(0) @binding(3) var<storage, read_write> dw: array<vec4f>;  // [K, N / 4] row-major, like W

override WG: u32 = 64; // a multiple of SG
override SG: u32 = 8;  // the adapter's subgroup size (min == max), set at creation
override TV: u32 = 2;  // chunks of 16 pixels per workgroup, at most MAX_TV
const MAX_TV: u32 = 4u;
const MAX_SG: u32 = 32u;

alias Chunk = array<vec4f, 16>; // this lane's column quad of the 16 rows of dW that one chunk of pixels feeds
alias Rows = array<vec4f, MAX_SG>; // [SG] this lane's column quad of dy, for the SG rows in flight

// Rows 4t..4t+3 of a chunk += the SG rows' pixels of word t (lane j holds row j's) times their dy.
fn add_word(acc: ptr<function, Chunk>, t: u32, word: u32, d: ptr<function, Rows>) {
  // Summed apart first: the driver masks every update of a variable that a loop carries (acc, across rows), so
  // one update per word and pixel, not one per row.
  var s = array<vec4f, 4>();
  for (var j = 0u; j < SG; j++) {
    let v = vec4f(unpack4xU8(subgroupShuffle(word, j)));
    let dj = (*d)[j];
    s[0] += v.x * dj;
    s[1] += v.y * dj;
    s[2] += v.z * dj;
    s[3] += v.w * dj;
  }
  (*acc)[4u * t] += s[0];
  (*acc)[4u * t + 1u] += s[1];
  (*acc)[4u * t + 2u] += s[2];
  (*acc)[4u * t + 3u] += s[3];
}

fn add_chunk(acc: ptr<function, Chunk>, m: vec4u, d: ptr<function, Rows>) {
  add_word(acc, 0u, m.x, d);
  add_word(acc, 1u, m.y, d);
  add_word(acc, 2u, m.z, d);
  add_word(acc, 3u, m.w, d);
}

// dW rows 16c..16c+15, this lane's quad, when chunk c exists.
fn store_chunk(acc: ptr<function, Chunk>, c: u32, q: u32) {
  if (c < K / 16u) {
    for (var s = 0u; s < 16u; s++) {
      dw[(c * 16u + s) * (N / 4u) + q] = (*acc)[s] / 255.0;
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lane: u32, @builtin(subgroup_invocation_id) sl: u32) {
  let n4 = N / 4u;
  let chunks = K / 16u;
  let quad = wid.x * WG + lane;
  let q = min(quad, n4 - 1u); // lanes past the last quad compute a copy and store nothing
  let c0 = wid.y * TV;
  var a0: Chunk;
  var a1: Chunk;
  var a2: Chunk;
  var a3: Chunk;
  // No early return or break: every lane of a subgroup takes part in the shuffles.
  for (var r0 = 0u; r0 < step.rows; r0 += SG) {
    let base = order[step.row0 + min(r0 + sl, step.rows - 1u)] * chunks;
    var d: Rows;
    for (var j = 0u; j < SG; j++) {
      // Rows past the step are clamped to its last row and weighted 0.
      let r = r0 + j;
      d[j] = select(vec4f(0.0), dy[min(r, step.rows - 1u) * n4 + q], r < step.rows);
    }
    add_chunk(&a0, images[base + c0], &d);
    if (TV > 1u) { add_chunk(&a1, images[base + min(c0 + 1u, chunks - 1u)], &d); }
    if (TV > 2u) { add_chunk(&a2, images[base + min(c0 + 2u, chunks - 1u)], &d); }
    if (TV > 3u) { add_chunk(&a3, images[base + min(c0 + 3u, chunks - 1u)], &d); }
  }
  if (quad < n4) {
    store_chunk(&a0, c0, q);
    if (TV > 1u) { store_chunk(&a1, c0 + 1u, q); }
    if (TV > 2u) { store_chunk(&a2, c0 + 2u, q); }
    if (TV > 3u) { store_chunk(&a3, c0 + 3u, q); }
  }
}
