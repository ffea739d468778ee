enable subgroups;
// The weight gradient of LeNet's stride-1 convolution where the adapter has subgroups of one known size SG (W, WO and PAD even):
//   dw[co, ci, ky, kx] = Σ_{r, oy, ox} dy[r, co, oy, ox] · x[r, ci, oy + ky - PAD, ox + kx - PAD]
//   db[co]             = Σ_{r, oy, ox} dy[r, co, oy, ox]
// summed here over one of S chunks of the output rows (r, oy); conv2d_weight_grad_reduce.wgsl adds the S partials.
// One lane per (ci, ky) and group of CQ output channels (the grid's z): per output row it reads its x row (vec2s)
// and keeps CQ x KS sums; the row's dy of the CQ channels is loaded once per subgroup (lane l loads vec2s l,
// l + SG, ...) and handed round by subgroupShuffle with a constant lane (on lavapipe every load with a computed
// address is a per-lane loop). CQ stays small (4): lavapipe unrolls the CQ·WO/2·KS body only up to a size, and a
// rolled one indexes the sums and the shuffles dynamically (measured 25 GMAC/s at CQ 4 against 2 at 8).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C_IN: u32;  // input channels
override C_OUT: u32; // output channels, at most MAX_OUT
override H: u32;     // input height
override W: u32;     // input width, even
override KS: u32;    // kernel size (square), at most MAX_KS
override PAD: u32;   // zero padding on every side, even
override SG: u32 = 8u; // the adapter's subgroup size (min == max)
override S: u32 = 8u;  // chunks of output rows: the grid's y
override CQ: u32 = 4u; // output channels per lane, at most MAX_CQ: the grid's z runs over C_OUT / CQ groups
override HO: u32 = H + 2u * PAD - KS + 1u;
override WO: u32 = W + 2u * PAD - KS + 1u;  // even, at most MAX_WO
override P: u32 = C_IN * KS;                // (ci, ky) pairs
override WO2: u32 = WO / 2u;
override DN: u32 = CQ * WO2;                // dy vec2s of one output row, CQ channels
override DPL: u32 = (DN + SG - 1u) / SG;    // of them loaded by each lane, at most MAX_DPL
override XC: u32 = (WO + KS) / 2u;          // x vec2s per row: the WO + KS - 1 columns the row's windows cover
override DW: u32 = C_OUT * C_IN * KS * KS;
override SUMS: u32 = DW + C_OUT;

const MAX_CQ: u32 = 4u;
const MAX_KS: u32 = 5u;
const MAX_DPL: u32 = 16u;
const MAX_WO: u32 = 32u;
const MAX_XW: u32 = MAX_WO + MAX_KS + 1u;

// The input x (binding 0): a prelude, conv2d_input_f32.wgsl (x [rows, C_IN, H, W / 2] as vec2s) or, for a first
// layer, conv2d_input_u8.wgsl (the resident images): input_base, input_row.
// dy (binding 1): a prelude, conv2d_dy_direct.wgsl (dy [rows, C_OUT, HO, WO / 2]) or conv2d_dy_unpool.wgsl (made
// from the gradient of the activation's 2x2 pooling): dy_pair.
@group(0) @binding(2) var<storage, read_write> partial: array<f32>;    // [S, SUMS]: each chunk's dw, then db

override WG: u32 = 8; // a multiple of SG

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(subgroup_invocation_id) sl: u32) {
  let pair = gid.x;
  let pp = min(pair, P - 1u); // lanes past the last pair compute it again and store nothing
  let ci = pp / KS;
  let ky = pp % KS;
  let s = wid.y;
  let co0 = wid.z * CQ;
  let blocks = step.rows * HO;
  let per = (blocks + S - 1u) / S;
  let b0 = min(s * per, blocks);
  let b1 = min(b0 + per, blocks);
  var acc: array<array<f32, MAX_KS>, MAX_CQ>;
  var bacc: array<f32, MAX_CQ>;
  for (var co = 0u; co < CQ; co++) {
    bacc[co] = 0.0;
    for (var kx = 0u; kx < KS; kx++) {
      acc[co][kx] = 0.0;
    }
  }
  for (var bk = b0; bk < b1; bk++) {
    let r = bk / HO;
    let oy = bk % HO;
    var dl: array<vec2<f32>, MAX_DPL>;
    for (var m = 0u; m < DPL; m++) {
      let n = min(m * SG + sl, DN - 1u);
      let co = co0 + n / WO2; // past C_OUT: zero
      dl[m] = select(vec2<f32>(0.0), dy_pair(r, min(co, C_OUT - 1u), oy, n % WO2), co < C_OUT);
    }
    let xs = input_row(input_base(r), ci, i32(oy + ky) - i32(PAD), -i32(PAD), XC);
    for (var co = 0u; co < CQ; co++) {
      for (var c = 0u; c < WO2; c++) {
        let n = co * WO2 + c;
        let g = subgroupShuffle(dl[n / SG], n % SG);
        bacc[co] += g.x + g.y;
        for (var kx = 0u; kx < KS; kx++) {
          acc[co][kx] += g.x * xs[2u * c + kx] + g.y * xs[2u * c + 1u + kx];
        }
      }
    }
  }
  if (pair < P) {
    for (var q = 0u; q < CQ; q++) {
      let co = co0 + q;
      if (co < C_OUT) {
        for (var kx = 0u; kx < KS; kx++) {
          partial[s * SUMS + ((co * C_IN + ci) * KS + ky) * KS + kx] = acc[q][kx];
        }
        if (pair == 0u) {
          partial[s * SUMS + DW + co] = bacc[q];
        }
      }
    }
  }
}
