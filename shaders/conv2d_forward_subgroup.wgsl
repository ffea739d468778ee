enable subgroups;
// LeNet's stride-1 convolution where the adapter has subgroups of one known size SG (and W, WO, PAD are even):
//   y[r, co, oy, ox] = act(bias[co] + Σ_{ci, ky, kx} x[r, ci, oy + ky - PAD, ox + kx - PAD] · w[co, ci, ky, kx])
// Also the input gradient of such a convolution (src/reference/conv2d_input_grad.ts): this correlation of dy, padded
// by KS - 1 - PAD, with the weights transposed and flipped (conv2d_weight_pack.wgsl, FLIP), no bias (BIAS false).
// ACT: 0 none, 1 sigmoid, 2 ReLU. POOLED: also the 2x2 / stride-2 pooling of y (POOL 0 mean, 1 max; odd sizes
// floored, as pool_forward.wgsl) into `pooled`, from the tile's registers (R even): one pass over y fewer.
// On lavapipe every load or store whose address is not a compile-time constant costs a per-lane loop, and a
// private array indexed by a loop variable of a loop that stays rolled is a per-lane gather from the stack, so:
// each invocation computes a 4·PV-pixel x R-row tile of 4·CG output channels (R·PV·CG·4 vec4 accumulators; the
// grid's z runs over the channel groups), reads x and writes y as vec2; one rolled loop runs over (input channel,
// kernel row), and everything inside it unrolls (gpu/tuning.ts convTile keeps that body under the driver's
// unrolling limit): the KS·CG weight vec4s of the kernel row are loaded once per subgroup (lane l loads vec4s
// l, l + SG, ...) and handed to every lane by subgroupShuffle with a constant lane.
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override C_IN: u32;  // input channels
override C_OUT: u32; // output channels, at most MAX_OUT
override H: u32;     // input height
override W: u32;     // input width, even (x is read as vec2)
// (the output width WO must be even too: y is written as vec2)
override KS: u32;    // kernel size (square), at most MAX_KS
override PAD: u32;   // zero padding on every side, even
override ACT: u32 = 0u;
override BIAS: bool = true; // false: no bias (bind any buffer)
override SG: u32 = 8u;      // the adapter's subgroup size (min == max)
override R: u32 = 2u;       // output rows per invocation
override PV: u32 = 1u;      // 4-pixel groups per output row per invocation; R·PV at most MAX_RP
override CG: u32 = 1u;      // vec4s of output channels per invocation (the grid's z runs over C4 / CG groups)
override POOLED: bool = false; // false: `pooled` is not written (bind any buffer but y: two writable bindings of one buffer are refused)
override POOL: u32 = 0u;    // the pooling: 0 mean, 1 max
override HO: u32 = H + 2u * PAD - KS + 1u; // output height
override WO: u32 = W + 2u * PAD - KS + 1u; // output width
override TX: u32 = (WO + 4u * PV - 1u) / (4u * PV); // 4·PV-pixel tiles per output row
override TY: u32 = (HO + R - 1u) / R;      // R-row tiles per output plane
override C4: u32 = (C_OUT + 3u) / 4u;      // vec4s of output channels
override HP: u32 = HO / 2u;                // pooled height and width
override WP: u32 = WO / 2u;
override WN: u32 = KS * CG;                // packed weight vec4s per (input channel, kernel row) for one channel group
override WPL: u32 = (WN + SG - 1u) / SG;   // of them loaded by each lane, at most MAX_WPL
override XC: u32 = (KS + 4u * PV) / 2u;    // vec2s per input row: the KS + 4·PV - 1 columns the windows cover

const MAX_OUT: u32 = 16u;
const MAX_KS: u32 = 5u;
const MAX_RP: u32 = 8u;
const MAX_WPL: u32 = 5u; // KS·CG / SG for KS 5, CG 4, SG 4
const MAX_XW: u32 = MAX_KS + 4u * MAX_RP;

// The input x (binding 0): a prelude, conv2d_input_f32.wgsl (x [rows, C_IN, H, W / 2] as vec2s) or, for a first
// layer, conv2d_input_u8.wgsl (the resident images, with the step's labels): input_base, input_row, write_targets.
// The weights repacked by conv2d_weight_pack.wgsl: 4 output channels per vec4.
@group(0) @binding(1) var<storage, read> w: array<vec4<f32>>;    // [C_IN, KS·KS, C4]
@group(0) @binding(2) var<storage, read> bias: array<f32>;       // [C_OUT]
@group(0) @binding(3) var<storage, read_write> y: array<vec2<f32>>; // [rows, C_OUT, HO, WO / 2], after the activation
@group(0) @binding(4) var<storage, read_write> pooled: array<f32>; // [rows, C_OUT, HP, WP] where POOLED

override WG: u32 = 8; // SG: one subgroup per workgroup

fn activate(v: f32) -> f32 {
  if (ACT == 1u) {
    return 1.0 / (1.0 + exp(-v));
  }
  if (ACT == 2u) {
    return max(v, 0.0);
  }
  return v;
}

fn pool4(a: f32, b: f32, c: f32, d: f32) -> f32 {
  if (POOL == 1u) {
    return max(max(a, b), max(c, d));
  }
  return (a + b + c + d) * 0.25;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lane: u32, @builtin(subgroup_invocation_id) sl: u32) {
  // A workgroup is one subgroup: the same tile of SG images, one per lane, so the tile's position (and which of
  // its input rows and columns fall in the padding) is the same for every lane: those loads are skipped by a
  // branch that does not diverge. Every lane runs the whole loop (the shuffles need the full subgroup); lanes
  // past the last row compute row rows - 1 and store nothing.
  let tiles = TY * TX;
  let tile = wg.x % tiles;
  let r0 = (wg.x / tiles) * SG + lane;
  let valid = r0 < step.rows;
  let r = min(r0, step.rows - 1u);
  let oy0 = (tile / TX) * R;
  let ox0 = (tile % TX) * 4u * PV;
  let opaque = select(0u, 1u, step.rows > 0x7fffffffu); // always 0: keeps the channel loop rolled
  let k0 = wg.z * CG; // this invocation's first vec4 of output channels
  // [row q · PV + pixel group p][channel] 4 pixels; channels past C_OUT are not stored
  var acc: array<vec4<f32>, MAX_RP * MAX_OUT>;
  for (var q = 0u; q < R * PV; q++) {
    for (var co = 0u; co < 4u * CG; co++) {
      acc[q * MAX_OUT + co] = vec4<f32>(select(0.0, bias[min(4u * k0 + co, C_OUT - 1u)], BIAS));
    }
  }
  let taps = KS * KS;
  let base = input_base(r);
  // One (input channel, kernel row) per iteration of this rolled loop; everything inside it unrolls (the tile,
  // gpu/tuning.ts convTile, keeps the body under the driver's unrolling limit), so every private array below is
  // indexed by constants and lives in registers.
  for (var t = 0u; t < C_IN * KS + opaque; t++) {
    let ci = t / KS;
    let ky = t % KS;
    // wl: the KS·CG weight vec4s of (ci, ky) for this channel group, n = kx·CG + k, spread over the lanes
    var wl: array<vec4<f32>, MAX_WPL>;
    for (var m = 0u; m < WPL; m++) {
      let n = min(m * SG + sl, WN - 1u);
      wl[m] = w[(ci * taps + ky * KS + n / CG) * C4 + min(k0 + n % CG, C4 - 1u)];
    }
    // The R input rows this kernel row meets, 2·XC pixels each, zero outside the image (the same for every lane).
    var xs: array<array<f32, MAX_XW>, MAX_RP>;
    var rok: array<bool, MAX_RP>;
    for (var q = 0u; q < R; q++) {
      let iy = i32(oy0 + q + ky) - i32(PAD);
      rok[q] = iy >= 0 && iy < i32(H);
      xs[q] = input_row(base, ci, iy, i32(ox0) - i32(PAD), XC);
    }
    // Block order: each 4-pixel x 4-channel block takes its KS taps before the next, so few values are live.
    for (var q = 0u; q < R; q++) {
      if (PAD == 0u || rok[q]) {
        for (var p = 0u; p < PV; p++) {
          for (var k = 0u; k < CG; k++) {
            let a = (q * PV + p) * MAX_OUT + 4u * k;
            for (var kx = 0u; kx < KS; kx++) {
              let n = kx * CG + k;
              let wv = subgroupShuffle(wl[n / SG], n % SG);
              let c = kx + 4u * p;
              let v = vec4<f32>(xs[q][c], xs[q][c + 1u], xs[q][c + 2u], xs[q][c + 3u]);
              acc[a] += v * wv.x;
              acc[a + 1u] += v * wv.y;
              acc[a + 2u] += v * wv.z;
              acc[a + 3u] += v * wv.w;
            }
          }
        }
      }
    }
  }
  // vec2 stores (WO is even): on lavapipe a store costs what a load does.
  if (valid) {
    if (tile == 0u && wg.z == 0u) {
      write_targets(r);
    }
    for (var q = 0u; q < R; q++) {
      let oy = oy0 + q;
      if (oy < HO) {
        for (var cl = 0u; cl < 4u * CG; cl++) {
          let co = 4u * k0 + cl;
          if (co >= C_OUT) {
            break;
          }
          let base = (((r * C_OUT + co) * HO + oy) * WO + ox0) / 2u;
          for (var p = 0u; p < PV; p++) {
            let a = acc[(q * PV + p) * MAX_OUT + cl];
            if (ox0 + 4u * p < WO) {
              y[base + 2u * p] = vec2<f32>(activate(a.x), activate(a.y));
            }
            if (ox0 + 4u * p + 2u < WO) {
              y[base + 2u * p + 1u] = vec2<f32>(activate(a.z), activate(a.w));
            }
          }
        }
      }
    }
    if (POOLED) {
      // Rows q and q + 1 of the tile are one row of 2x2 windows (oy0 and R are even).
      for (var q = 0u; q < R; q += 2u) {
        let py = (oy0 + q) / 2u;
        if (py < HP) {
          for (var cl = 0u; cl < 4u * CG; cl++) {
            let co = 4u * k0 + cl;
            if (co >= C_OUT) {
              break;
            }
            let base = ((r * C_OUT + co) * HP + py) * WP + ox0 / 2u;
            for (var p = 0u; p < PV; p++) {
              let t = acc[(q * PV + p) * MAX_OUT + cl];
              let u = acc[((q + 1u) * PV + p) * MAX_OUT + cl];
              if (ox0 / 2u + 2u * p < WP) {
                pooled[base + 2u * p] = pool4(activate(t.x), activate(t.y), activate(u.x), activate(u.y));
              }
              if (ox0 / 2u + 2u * p + 1u < WP) {
                pooled[base + 2u * p + 1u] = pool4(activate(t.z), activate(t.w), activate(u.z), activate(u.w));
              }
            }
          }
        }
      }
    }
  }
}
