enable subgroups;
// The dense contraction template, subgroup shape: linear.wgsl's three entry points (the same prologues' functions,
// here from prelude/linear_input_f32_subgroup.wgsl or linear_input_u8_subgroup.wgsl, and the same epilogues), for
// adapters whose subgroups have one known size SG, with N % 4 == 0 (and K % 4, or K % 16 for the u8 input, where x
// is read). Chosen in src/kernels/linear.ts.
// Lanes span column quads (one vec4 of W, dy or dW per lane); a workgroup's rows are the same for all its lanes.
// Instead of every lane loading the same x, lane i of a subgroup loads row i's chunk and the others take it by
// subgroupShuffle: on lavapipe (SIMD lanes that issue each load per lane) this made the first layer ~4x faster
// (docs/benchmark-history.md, "MLP"). Every accumulator index and shuffle lane must be a constant once the driver
// unrolls the loops (a dynamic index puts the accumulators in memory, a dynamic shuffle becomes a chain of
// selects): hence loops of SG iterations with small bodies, and weight_grad's accumulators one array per chunk,
// indexed only in functions whose part is a constant at each call.
// No entry point returns early: every lane of a subgroup takes part in the shuffles.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override K: u32; // the layer's inputs per row
override N: u32; // the layer's outputs per row, a multiple of 4 (W, dy, out and dW as vec4)

@group(0) @binding(4) var<storage, read> w: array<vec4f>;         // [KC · X_ROWS, N / 4] row-major (rows past K are 0)
@group(0) @binding(5) var<storage, read> b: array<vec4f>;         // [N / 4]
@group(0) @binding(8) var<storage, read> h: array<f32>;           // [rows, K] the layer's input as the forward wrote it
@group(0) @binding(9) var<storage, read_write> dx: array<f32>;    // [rows, K]
// out, dy and dw (bindings 6, 7, 10) are the output layout prelude's: out_store, dy_load, dw_store and m_rows, the
// rows of the product (prelude/linear_rows_subgroup.wgsl: [rows, N] row-major; prelude/conv_rows_subgroup.wgsl: a
// convolution's [rows, N, GRID_H, GRID_W], one product row per pixel).

override WG: u32 = 64;  // a multiple of SG
override SG: u32 = 8;   // the adapter's subgroup size (min == max), set at creation
override RG: u32 = 2;   // forward and input_grad: row groups, RG * SG rows per workgroup
override TC: u32 = 2;   // input_grad: values of k per lane
override TV: u32 = 2;   // weight_grad: chunks of x (X_ROWS rows of dW each) per workgroup
const MAX_ROWS: u32 = 32u;
const MAX_RG: u32 = 4u;
const MAX_TC: u32 = 4u;
const MAX_SG: u32 = 32u;
override KC: u32 = (K + X_ROWS - 1u) / X_ROWS; // chunks of k per row; the last may run past K (x and w read 0 there)

// out = act(x·W + b), then dropout; y = the step's labels for the u8 input.
@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lane: u32, @builtin(subgroup_invocation_id) sl: u32) {
  let n4 = N / 4u;
  let quad = wid.x * WG + lane;
  let q = min(quad, n4 - 1u); // lanes past the last quad compute a copy and store nothing
  let rows = RG * SG;
  let r0 = (wid.y + wid.z * nwg.y) * rows; // row groups past 65,535 go on in z
  let mr = m_rows();
  var base: array<XRow, MAX_RG>;
  for (var g = 0u; g < RG; g++) {
    base[g] = x_row(min(r0 + g * SG + sl, mr - 1u));
  }
  var acc: array<vec4f, MAX_ROWS>;
  for (var l = 0u; l < KC; l++) {
    // A chunk of several parts is loaded once for all of them; a one-part chunk after W's loads, where it is used.
    var mine: array<XChunk, MAX_RG>;
    if (X_PARTS > 1u) {
      for (var g = 0u; g < RG; g++) {
        mine[g] = x_load(base[g], l);
      }
    }
    for (var t = 0u; t < X_PARTS; t++) {
      let k = (l * X_PARTS + t) * 4u * n4 + q;
      let w0 = w[k];
      let w1 = w[k + n4];
      let w2 = w[k + 2u * n4];
      let w3 = w[k + 3u * n4];
      for (var g = 0u; g < RG; g++) {
        var chunk = mine[g];
        if (X_PARTS == 1u) {
          chunk = x_load(base[g], l);
        }
        let p = x_part(chunk, t);
        for (var j = 0u; j < SG; j++) {
          let v = x_unpack(subgroupShuffle(p, j));
          acc[g * SG + j] += v.x * w0 + v.y * w1 + v.z * w2 + v.w * w3;
        }
      }
    }
  }
  if (quad == 0u) {
    for (var j = 0u; j < rows; j++) {
      let r = r0 + j;
      if (r < mr) {
        x_label(r);
      }
    }
  }
  if (quad < n4) {
    let bias = b[q];
    for (var j = 0u; j < rows; j++) {
      let r = r0 + j;
      if (r < mr) {
        let v = act4(x_scale(acc[j]) + bias);
        let e = r * N + q * 4u;
        out_store(r, q, vec4f(dropout_apply(v.x, e), dropout_apply(v.y, e + 1u), dropout_apply(v.z, e + 2u), dropout_apply(v.w, e + 3u)));
      }
    }
  }
}

// dx = (dy·Wᵀ) ⊙ act'(h) ⊙ dropout mask / (1 - p), for any K: lanes span k (TC values each, WG apart), reading
// W[k, n..n+3] as a vec4; lane i of a subgroup loads row i's vec4 of dy for the others.
@compute @workgroup_size(WG)
fn input_grad(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lane: u32, @builtin(subgroup_invocation_id) sl: u32) {
  let n4 = N / 4u;
  let rows = RG * SG;
  let r0 = wid.y * rows;
  let k0 = wid.x * WG * TC + lane;
  var wi: array<u32, MAX_TC>;
  for (var c = 0u; c < TC; c++) {
    wi[c] = min(k0 + c * WG, K - 1u) * n4;
  }
  var base: array<u32, MAX_RG>;
  for (var g = 0u; g < RG; g++) {
    base[g] = min(r0 + g * SG + sl, m_rows() - 1u);
  }
  var acc: array<array<f32, MAX_TC>, MAX_ROWS>;
  for (var nq = 0u; nq < n4; nq++) {
    var wv: array<vec4f, MAX_TC>;
    for (var c = 0u; c < TC; c++) {
      wv[c] = w[wi[c] + nq];
    }
    for (var g = 0u; g < RG; g++) {
      let mine = dy_load(base[g], nq);
      for (var j = 0u; j < SG; j++) {
        let d = subgroupShuffle(mine, j);
        for (var c = 0u; c < TC; c++) {
          acc[g * SG + j][c] += dot(d, wv[c]);
        }
      }
    }
  }
  for (var j = 0u; j < rows; j++) {
    let r = r0 + j;
    for (var c = 0u; c < TC; c++) {
      let k = k0 + c * WG;
      if (r < m_rows() && k < K) {
        let i = r * K + k;
        var v = acc[j][c];
        if (ACT != 0u) {
          v = act_slope(v, h[i]);
        }
        dx[i] = dropout_apply(v, i);
      }
    }
  }
}

alias Chunk = array<vec4f, X_ROWS>; // this lane's column quad of the X_ROWS rows of dW that one chunk of x feeds
alias Rows = array<vec4f, MAX_SG>;  // [SG] this lane's column quad of dy, for the SG rows in flight

// X_PARTIAL: rows 4t..4t+3 of a chunk += the SG rows' part t of x (lane j holds row j's) times their dy, summed
// apart first.
fn add_part(acc: ptr<function, Chunk>, t: u32, part: XPart, d: ptr<function, Rows>) {
  var s = array<vec4f, 4>();
  for (var j = 0u; j < SG; j++) {
    let v = x_unpack(subgroupShuffle(part, j));
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

// Otherwise (one-part chunks): the chunk's 4 rows += row j's part (lane j holds it) times its dy d, row by row.
fn add_row(acc: ptr<function, Chunk>, m: XChunk, j: u32, d: vec4f) {
  let v = x_unpack(subgroupShuffle(x_part(m, 0u), j));
  (*acc)[0] += v.x * d;
  (*acc)[1] += v.y * d;
  (*acc)[2] += v.z * d;
  (*acc)[3] += v.w * d;
}

fn add_chunk(acc: ptr<function, Chunk>, m: XChunk, d: ptr<function, Rows>) {
  add_part(acc, 0u, x_part(m, 0u), d);
  if (X_PARTS > 1u) {
    add_part(acc, 1u, x_part(m, 1u), d);
    add_part(acc, 2u, x_part(m, 2u), d);
    add_part(acc, 3u, x_part(m, 3u), d);
  }
}

// dW rows X_ROWS·c .. X_ROWS·c + X_ROWS - 1, this lane's quad, when chunk c exists.
fn store_chunk(acc: ptr<function, Chunk>, c: u32, q: u32) {
  if (c < KC) {
    for (var s = 0u; s < X_ROWS; s++) {
      let k = c * X_ROWS + s;
      if (k < K) {
        dw_store(k, q, x_scale((*acc)[s]));
      }
    }
  }
}

// dW = xᵀ·dy: a workgroup's TV chunks of x (X_ROWS rows of dW each) are the same for all its lanes; rows go SG at
// a time, lane i loading row i's chunks for the others.
@compute @workgroup_size(WG)
fn weight_grad(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lane: u32, @builtin(subgroup_invocation_id) sl: u32) {
  let n4 = N / 4u;
  let chunks = KC;
  let mr = m_rows();
  let quad = wid.x * WG + lane;
  let q = min(quad, n4 - 1u);
  let c0 = wid.y * TV;
  var a0: Chunk;
  var a1: Chunk;
  var a2: Chunk;
  var a3: Chunk;
  for (var r0 = 0u; r0 < mr; r0 += SG) {
    let base = x_row(min(r0 + sl, mr - 1u));
    // Rows past the step are clamped to its last row and weighted 0.
    if (X_PARTIAL) {
      var d: Rows;
      for (var j = 0u; j < SG; j++) {
        let r = r0 + j;
        d[j] = select(vec4f(0.0), dy_load(min(r, mr - 1u), q), r < mr);
      }
      add_chunk(&a0, x_load(base, min(c0, chunks - 1u)), &d);
      if (TV > 1u) { add_chunk(&a1, x_load(base, min(c0 + 1u, chunks - 1u)), &d); }
      if (TV > 2u) { add_chunk(&a2, x_load(base, min(c0 + 2u, chunks - 1u)), &d); }
      if (TV > 3u) { add_chunk(&a3, x_load(base, min(c0 + 3u, chunks - 1u)), &d); }
    } else {
      var m: array<XChunk, 4>;
      for (var i = 0u; i < TV; i++) {
        m[i] = x_load(base, min(c0 + i, chunks - 1u));
      }
      for (var j = 0u; j < SG; j++) {
        let r = r0 + j;
        let d = select(vec4f(0.0), dy_load(min(r, mr - 1u), q), r < mr);
        add_row(&a0, m[0], j, d);
        if (TV > 1u) { add_row(&a1, m[1], j, d); }
        if (TV > 2u) { add_row(&a2, m[2], j, d); }
        if (TV > 3u) { add_row(&a3, m[3], j, d); }
      }
    }
  }
  if (quad < n4) {
    store_chunk(&a0, c0, q);
    if (TV > 1u) { store_chunk(&a1, c0 + 1u, q); }
    if (TV > 2u) { store_chunk(&a2, c0 + 2u, q); }
    if (TV > 3u) { store_chunk(&a3, c0 + 3u, q); }
  }
}
