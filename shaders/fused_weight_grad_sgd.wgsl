// The hot path's second kernel: gradient reduction and SGD update fused into one dispatch.
// The first ceil(features / 4 / WORDS) invocations each own WORDS packed pixel words, and so the 4 rows of W
// each word feeds: for each of their pixels k and each class n, dW[k, n] = sum over the step's rows of
// x[r, k] * dlogits[r, n], then W[k, n] -= lr * dW[k, n]. The next CLASSES invocations do the same for b, with
// db = column sums of dlogits. Each element of W is read and written by exactly one invocation: no races, no
// barriers. x is read as u8 from the resident dataset.
// Requires features % 4 == 0, CLASSES == 10 and rows <= 1638 (dlogits fits a 64 KiB uniform).
struct Step {
  row0: u32,
  rows: u32,
  features: u32,
  classes: u32,
}
@group(1) @binding(0) var<uniform> step: Step;

struct Sgd {
  lr: f32,
  count: u32, // unused here; the layout is sgd_update.wgsl's
}
@group(0) @binding(0) var<storage, read> images: array<u32>;        // [count, features / 4] u8 x4 packed
@group(0) @binding(1) var<storage, read> order: array<u32>;         // [count]
// dlogits: [rows, CLASSES] f32 row-major, read as vec4s from a uniform binding: every invocation reads the
// same row at the same time; as with W in the forward kernel, a uniform binding was the faster one on lavapipe.
@group(0) @binding(2) var<uniform> dlogits: array<vec4f, 4096>;       // [rows, CLASSES]
@group(0) @binding(3) var<storage, read_write> w: array<f32>;       // [features, CLASSES] row-major
@group(0) @binding(4) var<storage, read_write> b: array<f32>;       // [CLASSES]
@group(0) @binding(5) var<uniform> sgd: Sgd;

const CLASSES: u32 = 10u;
override WG: u32 = 64;

// Pixel words per invocation (1 or 2): each dlogits value loaded feeds this many words' pixels. As with W in
// the forward kernel, lavapipe loads dlogits per invocation, so 2 made this kernel ~30% faster there (4 was no
// faster and took seconds to compile). Set by src/train/step_recorders.ts per kind of adapter.
override WORDS: u32;
const MAX_WORDS: u32 = 2u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let words = step.features / 4u;
  let groups = (words + WORDS - 1u) / WORDS;
  let g = gid.x;
  if (g < groups) {
    // Invocation g owns words g, g + groups, g + 2 groups, ...; a word past the end is read as word 0 and
    // never written.
    var word: array<u32, MAX_WORDS>;
    var a: array<array<vec4f, CLASSES>, MAX_WORDS>; // a[k][n][j] accumulates dW for pixel 4 word[k] + j, class n
    for (var k = 0u; k < WORDS; k++) {
      let wk = g + k * groups;
      word[k] = select(0u, wk, wk < words);
    }
    // Two rows per iteration: their 20 dlogits are 5 aligned vec4s. A missing second row reads as pixels 0.
    for (var r = 0u; r < step.rows; r += 2u) {
      let row0 = order[step.row0 + r] * words;
      let has1 = r + 1u < step.rows;
      let row1 = order[step.row0 + min(r + 1u, step.rows - 1u)] * words;
      let d = (r / 2u) * 5u;
      let d0 = dlogits[d];
      let d1 = dlogits[d + 1u];
      let d2 = dlogits[d + 2u];
      let d3 = dlogits[d + 3u];
      let d4 = dlogits[d + 4u];
      for (var k = 0u; k < WORDS; k++) {
        let packed0 = images[row0 + word[k]];
        let packed1 = select(0u, images[row1 + word[k]], has1);
        let x0 = vec4f(f32(packed0 & 0xffu), f32((packed0 >> 8u) & 0xffu), f32((packed0 >> 16u) & 0xffu), f32(packed0 >> 24u));
        let x1 = vec4f(f32(packed1 & 0xffu), f32((packed1 >> 8u) & 0xffu), f32((packed1 >> 16u) & 0xffu), f32(packed1 >> 24u));
        a[k][0] += x0 * d0.x + x1 * d2.z;
        a[k][1] += x0 * d0.y + x1 * d2.w;
        a[k][2] += x0 * d0.z + x1 * d3.x;
        a[k][3] += x0 * d0.w + x1 * d3.y;
        a[k][4] += x0 * d1.x + x1 * d3.z;
        a[k][5] += x0 * d1.y + x1 * d3.w;
        a[k][6] += x0 * d1.z + x1 * d4.x;
        a[k][7] += x0 * d1.w + x1 * d4.y;
        a[k][8] += x0 * d2.x + x1 * d4.z;
        a[k][9] += x0 * d2.y + x1 * d4.w;
      }
    }
    let scale = sgd.lr / 255.0;
    for (var k = 0u; k < WORDS; k++) {
      if (g + k * groups < words) {
        for (var n = 0u; n < CLASSES; n++) {
          for (var j = 0u; j < 4u; j++) {
            w[(word[k] * 4u + j) * CLASSES + n] -= scale * a[k][n][j];
          }
        }
      }
    }
  } else if (g < groups + CLASSES) {
    let n = g - groups;
    var db = 0.0;
    for (var r = 0u; r < step.rows; r++) {
      let di = r * CLASSES + n;
      db += dlogits[di / 4u][di % 4u];
    }
    b[n] -= sgd.lr * db;
  }
}
