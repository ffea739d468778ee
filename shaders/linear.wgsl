// The dense contraction template: every dense layer's forward, input gradient and weight gradient, any K, N and
// rows, in two shapes here (register tiles: forward, input_grad, weight_grad; workgroup-memory tiles: the same names
// with _tiled, at the end of the file) and a third in linear_subgroup.wgsl (subgroup shuffles).
//
// The template is WGSL with `override` constants and shared preludes, chosen in src/kernels/linear.ts:
//   prologue  how x is read: prelude/linear_input_f32.wgsl (a layer's f32 activations, with x_f32.wgsl),
//             linear_input_u8.wgsl (the resident u8 images through the epoch's order, scaled by 1/255) or
//             conv_window.wgsl (a convolution's windows, with conv_window_scalar.wgsl and x_f32.wgsl); each gives
//             x_row, x_load, x_value, x_scale and x_label, so one loop serves all
//   layout    where the product's rows and columns are: prelude/linear_rows.wgsl ([rows, N]) or conv_rows.wgsl
//             ([rows, N, GRID_H, GRID_W], one product row per pixel): m_rows, out_index, dw_index
//   epilogue  bias, ACT (prelude/activation_fn.wgsl: 0 none, 1 sigmoid, 2 ReLU, the conv kernels' codes) and
//             dropout (prelude/dropout_mask.wgsl; off by default) for the forward; the activation's slope and the
//             dropout mask of the layer below for the input gradient
// Three computations over one set of shape overrides (binding numbers are distinct across the file and its
// prologues; each entry point binds only the ones it uses):
//   forward:      out = act(x·W + b) then dropout                      x: [rows, K], W: [K, N], out: [rows, N]
//   input_grad:   dx = (dy·Wᵀ) ⊙ act'(h) ⊙ dropout mask / (1 - p)     dy: [rows, N], h and dx: [rows, K]
//   weight_grad:  dW = xᵀ·dy, summed over the step's rows             dW: [K, N]
// Each sum runs over its index in ascending order whatever the tile, so every tile gives the same bits.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override K: u32; // the layer's inputs per row, fixed when the kernel is created
override N: u32; // the layer's outputs per row, fixed when the kernel is created

@group(0) @binding(4) var<storage, read> w: array<f32>;          // [K, N] row-major
@group(0) @binding(5) var<storage, read> b: array<f32>;          // [N]
@group(0) @binding(6) var<storage, read_write> out: array<f32>;  // [rows, N] row-major
@group(0) @binding(7) var<storage, read> dy: array<f32>;         // [rows, N] ∂l/∂(layer output)
@group(0) @binding(8) var<storage, read> h: array<f32>;          // [rows, K] the layer's input as the forward wrote it
@group(0) @binding(9) var<storage, read_write> dx: array<f32>;   // [rows, K] ∂l/∂(pre-activation below)
@group(0) @binding(10) var<storage, read_write> dw: array<f32>;  // [K, N] row-major, like W

override WG: u32 = 64;
// Each invocation computes a TR x TC block of its output (rows x columns; for weight_grad TR loads of x, each
// X_CHUNK rows of dW). On lavapipe every storage load is issued per invocation, so loads per multiply-add decide the
// speed: a block does TR + TC loads for TR * TC * X_CHUNK multiply-adds. Sizes per kind of adapter: src/gpu/tuning.ts
// (MLP_TILES). The block loops have a constant trip count once TR and TC are fixed, so they unroll and the block
// stays in registers.
override TR: u32 = 8;
override TC: u32 = 4;
const MAX_TR: u32 = 16u; // the accumulators' rows (weight_grad: TR * X_CHUNK of them)
const MAX_TC: u32 = 8u;

// Invocation i: column block i % col_blocks, row block i / col_blocks, so neighbours share rows of x.
@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u) {
  let col_blocks = (N + TC - 1u) / TC;
  let r0 = (gid.x / col_blocks) * TR;
  let rows = m_rows();
  if (r0 >= rows) {
    return;
  }
  let n0 = (gid.x % col_blocks) * TC;
  // Rows and columns past the edge read the last valid one (no branch in the loop); their results are dropped.
  var xi: array<XRow, MAX_TR>;
  for (var j = 0u; j < TR; j++) {
    xi[j] = x_row(min(r0 + j, rows - 1u));
  }
  var wi: array<u32, MAX_TC>;
  for (var c = 0u; c < TC; c++) {
    wi[c] = min(n0 + c, N - 1u);
  }
  var acc: array<array<f32, MAX_TC>, MAX_TR>;
  for (var l = 0u; l < K / X_CHUNK; l++) {
    var xl: array<XChunk, MAX_TR>;
    for (var j = 0u; j < TR; j++) {
      xl[j] = x_load(xi[j], l);
    }
    for (var s = 0u; s < X_CHUNK; s++) {
      let k = l * X_CHUNK + s;
      var wk: array<f32, MAX_TC>;
      for (var c = 0u; c < TC; c++) {
        wk[c] = w[k * N + wi[c]];
      }
      for (var j = 0u; j < TR; j++) {
        let xv = x_value(xl[j], s);
        for (var c = 0u; c < TC; c++) {
          acc[j][c] += xv * wk[c];
        }
      }
    }
  }
  for (var j = 0u; j < TR; j++) {
    let r = r0 + j;
    if (r >= rows) {
      continue;
    }
    if (n0 == 0u) {
      x_label(r);
    }
    for (var c = 0u; c < TC; c++) {
      let n = n0 + c;
      if (n < N) {
        out[out_index(r, n)] = dropout_apply(act(x_scale(acc[j][c]) + b[n]), r * N + n);
      }
    }
  }
}

// The first layer has no input gradient: nothing below it learns. h is read only where ACT is not 0. Dense layers
// only (a convolution's input gradient is a forward over dy's windows: kernels/conv2d_implicit_gemm.ts).
@compute @workgroup_size(WG)
fn input_grad(@builtin(global_invocation_id) gid: vec3u) {
  let col_blocks = (K + TC - 1u) / TC;
  let r0 = (gid.x / col_blocks) * TR;
  if (r0 >= step.rows) {
    return;
  }
  let k0 = (gid.x % col_blocks) * TC;
  var di: array<u32, MAX_TR>;
  for (var j = 0u; j < TR; j++) {
    di[j] = min(r0 + j, step.rows - 1u) * N;
  }
  var wi: array<u32, MAX_TC>;
  for (var c = 0u; c < TC; c++) {
    wi[c] = min(k0 + c, K - 1u) * N;
  }
  var acc: array<array<f32, MAX_TC>, MAX_TR>;
  for (var n = 0u; n < N; n++) {
    var wn: array<f32, MAX_TC>;
    for (var c = 0u; c < TC; c++) {
      wn[c] = w[wi[c] + n];
    }
    for (var j = 0u; j < TR; j++) {
      let d = dy[di[j] + n];
      for (var c = 0u; c < TC; c++) {
        acc[j][c] += d * wn[c];
      }
    }
  }
  for (var j = 0u; j < TR; j++) {
    let r = r0 + j;
    for (var c = 0u; c < TC; c++) {
      let k = k0 + c;
      if (r < step.rows && k < K) {
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

// Invocation i: column block i % col_blocks, block of TR loads (TR * X_CHUNK rows of dW) i / col_blocks.
@compute @workgroup_size(WG)
fn weight_grad(@builtin(global_invocation_id) gid: vec3u) {
  let loads = K / X_CHUNK;
  let col_blocks = (N + TC - 1u) / TC;
  let l0 = (gid.x / col_blocks) * TR;
  if (l0 >= loads) {
    return;
  }
  let n0 = (gid.x % col_blocks) * TC;
  var li: array<u32, MAX_TR>;
  for (var i = 0u; i < TR; i++) {
    li[i] = min(l0 + i, loads - 1u);
  }
  var di: array<u32, MAX_TC>;
  for (var c = 0u; c < TC; c++) {
    di[c] = min(n0 + c, N - 1u);
  }
  var acc: array<array<f32, MAX_TC>, MAX_TR>;
  for (var r = 0u; r < m_rows(); r++) {
    let row = x_row(r);
    var d: array<f32, MAX_TC>;
    for (var c = 0u; c < TC; c++) {
      d[c] = dy[out_index(r, di[c])];
    }
    for (var i = 0u; i < TR; i++) {
      let xl = x_load(row, li[i]);
      for (var s = 0u; s < X_CHUNK; s++) {
        let xv = x_value(xl, s);
        for (var c = 0u; c < TC; c++) {
          acc[i * X_CHUNK + s][c] += xv * d[c];
        }
      }
    }
  }
  for (var i = 0u; i < TR; i++) {
    for (var s = 0u; s < X_CHUNK; s++) {
      let k = (l0 + i) * X_CHUNK + s;
      for (var c = 0u; c < TC; c++) {
        let n = n0 + c;
        if (k < K && n < N) {
          dw[dw_index(k, n)] = x_scale(acc[i * X_CHUNK + s][c]);
        }
      }
    }
  }
}

// ---- The workgroup-memory shape (entry points *_tiled): what a GPU wants. A workgroup computes a BM x BN tile of
// the output through BK-deep slices of both operands staged in workgroup memory (each value loaded from storage once
// per workgroup instead of once per invocation), and each of its (BM / TM) x (BN / TN) invocations a TM x TN register
// block, read from workgroup memory as vec4s. Any K, N and rows (the edges are padded with zeros in workgroup
// memory). The tile is the tuning's (src/gpu/tuning.ts MlpTiles.tiled), checked against the adapter's limits when a
// kernel is created (kernels/linear.ts tiledProblem). Chosen by src/gpu/tuning.ts for adapters that are not CPU
// drivers; on lavapipe its barriers make it slower than the shapes above, so there it runs only in tests.
override BM: u32; // output rows per workgroup, a multiple of TM
override BN: u32; // output columns per workgroup, a multiple of TN
override BK: u32; // depth of a staged slice
override TM: u32; // rows of an invocation's register block: 4 or 8
override TN: u32; // columns of it: 4 or 8
override TILE_WG: u32 = (BM / TM) * (BN / TN); // invocations per workgroup (derived; not set by callers)
const MAX_T4: u32 = 2u; // vec4s of a block's row at most (TN / 4)
var<workgroup> ta: array<vec4f, BK * BM / 4u>; // [BK][BM / 4]: the slice of the left operand, 4 rows a vec4
var<workgroup> tb: array<vec4f, BK * BN / 4u>; // [BK][BN / 4]: the slice of the right operand, 4 columns a vec4
// An invocation's block: rows 4 (lid / (BN / TN) + g (BM / TM)) + 0..3 for each group g of 4 of its TM rows, and its
// columns alike, so that neighbouring invocations read neighbouring vec4s of tb and write neighbouring outputs.
alias Block = array<array<vec4f, MAX_T4>, 8>; // [row i][vec4 j of columns]

// The tile's row of the block's row i (0..TM), and its column of the block's column j (0..TN).
fn block_row(lid: u32, i: u32) -> u32 {
  return 4u * (lid / (BN / TN) + (i / 4u) * (BM / TM)) + i % 4u;
}

fn block_col(lid: u32, j: u32) -> u32 {
  return 4u * (lid % (BN / TN) + (j / 4u) * (BN / TN)) + j % 4u;
}

// Invocation lid's block += the staged slices' product.
fn tile_multiply(acc: ptr<function, Block>, lid: u32) {
  let ty = lid / (BN / TN);
  let tx = lid % (BN / TN);
  for (var k = 0u; k < BK; k++) {
    var bv: array<vec4f, MAX_T4>;
    for (var j = 0u; j < TN / 4u; j++) {
      bv[j] = tb[k * (BN / 4u) + tx + j * (BN / TN)];
    }
    for (var g = 0u; g < TM / 4u; g++) {
      let a = ta[k * (BM / 4u) + ty + g * (BM / TM)];
      for (var j = 0u; j < TN / 4u; j++) {
        (*acc)[4u * g][j] += a.x * bv[j];
        (*acc)[4u * g + 1u][j] += a.y * bv[j];
        (*acc)[4u * g + 2u][j] += a.z * bv[j];
        (*acc)[4u * g + 3u][j] += a.w * bv[j];
      }
    }
  }
}

// Value (i, j) of a block.
fn block_value(acc: ptr<function, Block>, i: u32, j: u32) -> f32 {
  return (*acc)[i][j / 4u][j % 4u];
}

// Stages value v at depth kk of the left slice's row m, or of the right slice's column c.
fn stage_a(kk: u32, m: u32, v: f32) {
  ta[kk * (BM / 4u) + m / 4u][m % 4u] = v;
}

fn stage_b(kk: u32, c: u32, v: f32) {
  tb[kk * (BN / 4u) + c / 4u][c % 4u] = v;
}

// Once every invocation has staged its part: the block += the slices' product; then all wait before the next.
fn multiply_staged(acc: ptr<function, Block>, lid: u32) {
  workgroupBarrier();
  tile_multiply(acc, lid);
  workgroupBarrier();
}

// x[r, k] through the prologue, one value.
fn x_at(r: u32, k: u32) -> f32 {
  return x_value(x_load(x_row(r), k / X_CHUNK), k % X_CHUNK);
}

// Each staging loop hands element e of a slice to invocation e % TILE_WG.
@compute @workgroup_size(TILE_WG)
fn forward_tiled(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r0 = (wid.y + wid.z * nwg.y) * BM; // row tiles past 65,535 go on in z
  let n0 = wid.x * BN;
  let rows = m_rows();
  var acc: Block;
  for (var k0 = 0u; k0 < K; k0 += BK) {
    // Consecutive invocations read consecutive k of a row of x, and consecutive n of a row of W.
    for (var e = lid; e < BM * BK; e += TILE_WG) {
      let m = e / BK;
      let kk = e % BK;
      let r = r0 + m;
      let k = k0 + kk;
      let inside = r < rows && k < K;
      stage_a(kk, m, select(0.0, x_at(min(r, rows - 1u), min(k, K - 1u)), inside));
    }
    for (var e = lid; e < BN * BK; e += TILE_WG) {
      let kk = e / BN;
      let c = e % BN;
      let k = k0 + kk;
      let n = n0 + c;
      stage_b(kk, c, select(0.0, w[min(k, K - 1u) * N + min(n, N - 1u)], k < K && n < N));
    }
    multiply_staged(&acc, lid);
  }
  for (var i = 0u; i < TM; i++) {
    let r = r0 + block_row(lid, i);
    if (r >= rows) {
      continue;
    }
    for (var j = 0u; j < TN; j++) {
      let n = n0 + block_col(lid, j);
      if (n == 0u) {
        x_label(r);
      }
      if (n < N) {
        out[out_index(r, n)] = dropout_apply(act(x_scale(block_value(&acc, i, j)) + b[n]), r * N + n);
      }
    }
  }
}

@compute @workgroup_size(TILE_WG)
fn input_grad_tiled(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r0 = wid.y * BM;
  let c0 = wid.x * BN; // columns of dx: k
  var acc: Block;
  for (var n0 = 0u; n0 < N; n0 += BK) {
    // dy[r, n] along n, W[k, n] along n: consecutive invocations read consecutive n of both.
    for (var e = lid; e < BM * BK; e += TILE_WG) {
      let m = e / BK;
      let nn = e % BK;
      let r = r0 + m;
      let n = n0 + nn;
      stage_a(nn, m, select(0.0, dy[min(r, step.rows - 1u) * N + min(n, N - 1u)], r < step.rows && n < N));
    }
    for (var e = lid; e < BN * BK; e += TILE_WG) {
      let c = e / BK;
      let nn = e % BK;
      let k = c0 + c;
      let n = n0 + nn;
      stage_b(nn, c, select(0.0, w[min(k, K - 1u) * N + min(n, N - 1u)], k < K && n < N));
    }
    multiply_staged(&acc, lid);
  }
  for (var i = 0u; i < TM; i++) {
    let r = r0 + block_row(lid, i);
    for (var j = 0u; j < TN; j++) {
      let k = c0 + block_col(lid, j);
      if (r < step.rows && k < K) {
        let e = r * K + k;
        var v = block_value(&acc, i, j);
        if (ACT != 0u) {
          v = act_slope(v, h[e]);
        }
        dx[e] = dropout_apply(v, e);
      }
    }
  }
}

@compute @workgroup_size(TILE_WG)
fn weight_grad_tiled(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let k0 = wid.y * BM; // rows of dW: k
  let n0 = wid.x * BN;
  var acc: Block;
  let rows = m_rows();
  for (var s0 = 0u; s0 < rows; s0 += BK) {
    // x[r, k] along k, dy[r, n] along n: consecutive invocations read consecutive k, then n, of a row.
    for (var e = lid; e < BM * BK; e += TILE_WG) {
      let ss = e / BM;
      let m = e % BM;
      let r = s0 + ss;
      let k = k0 + m;
      stage_a(ss, m, select(0.0, x_at(min(r, rows - 1u), min(k, K - 1u)), r < rows && k < K));
    }
    for (var e = lid; e < BN * BK; e += TILE_WG) {
      let ss = e / BN;
      let c = e % BN;
      let r = s0 + ss;
      let n = n0 + c;
      stage_b(ss, c, select(0.0, dy[out_index(min(r, rows - 1u), min(n, N - 1u))], r < rows && n < N));
    }
    multiply_staged(&acc, lid);
  }
  for (var i = 0u; i < TM; i++) {
    let k = k0 + block_row(lid, i);
    for (var j = 0u; j < TN; j++) {
      let n = n0 + block_col(lid, j);
      if (k < K && n < N) {
        dw[dw_index(k, n)] = x_scale(block_value(&acc, i, j));
      }
    }
  }
}
