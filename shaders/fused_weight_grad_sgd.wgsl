// The hot path's second kernel: gradient reduction and SGD update fused into one dispatch.
// The first features / 8 invocations each own 8 pixels (two packed words, read as one vec2u) and so 8 rows of
// W: for each of their pixels k and each class n, dW[k, n] = sum over the step's rows of x[r, k] * dlogits[r, n],
// then W[k, n] -= lr * dW[k, n]. The next CLASSES invocations do the same for b, with db = column sums of
// dlogits. Each element of W is read and written by exactly one invocation: no races, no barriers. x is read
// as u8 from the resident dataset. Eight pixels per invocation rather than four: lavapipe loads dlogits (and
// x) once per invocation and per component, so each load feeding twice the multiply-adds made this kernel
// ~30% faster there (16 pixels was no faster and took seconds to compile).
// Requires features % 8 == 0, CLASSES == 10 and rows <= 1638 (dlogits fits a 64 KiB uniform).
// `step` (row0, rows of this minibatch): shaders/prelude/step.wgsl, prepended by the loader.
override K: u32; // features per row (the layer's inputs), fixed when the kernel is created

struct Sgd {
  lr: f32, // the layout is optimizer.wgsl's Sgd
}
@group(0) @binding(0) var<storage, read> images: array<vec2u>;      // [count, features / 8] u8 x8 packed
@group(0) @binding(1) var<storage, read> order: array<u32>;         // [count]
// dlogits: [rows, CLASSES] f32 row-major, read as vec4s from a uniform binding: every invocation reads the
// same row at the same time; as with W in the forward kernel, a uniform binding was the faster one on lavapipe.
@group(0) @binding(2) var<uniform> dlogits: array<vec4f, 4096>;       // [rows, CLASSES]
@group(0) @binding(3) var<storage, read_write> w: array<f32>;       // [features, CLASSES] row-major
@group(0) @binding(4) var<storage, read_write> b: array<f32>;       // [CLASSES]
@group(0) @binding(5) var<uniform> sgd: Sgd;

const CLASSES: u32 = 10u;
override WG: u32 = 64;

fn unpack(packed: u32) -> vec4f {
  return vec4f(f32(packed & 0xffu), f32((packed >> 8u) & 0xffu), f32((packed >> 16u) & 0xffu), f32(packed >> 24u));
}

// Two rows' contribution to a word's dW: x0, x1 are the rows' 4 pixels, d0..d4 their 20 dlogits.
fn add_rows(a: ptr<function, array<vec4f, CLASSES>>, x0: vec4f, x1: vec4f, d0: vec4f, d1: vec4f, d2: vec4f, d3: vec4f, d4: vec4f) {
  (*a)[0] += x0 * d0.x + x1 * d2.z;
  (*a)[1] += x0 * d0.y + x1 * d2.w;
  (*a)[2] += x0 * d0.z + x1 * d3.x;
  (*a)[3] += x0 * d0.w + x1 * d3.y;
  (*a)[4] += x0 * d1.x + x1 * d3.z;
  (*a)[5] += x0 * d1.y + x1 * d3.w;
  (*a)[6] += x0 * d1.z + x1 * d4.x;
  (*a)[7] += x0 * d1.w + x1 * d4.y;
  (*a)[8] += x0 * d2.x + x1 * d4.z;
  (*a)[9] += x0 * d2.y + x1 * d4.w;
}

// W[word's 4 pixels, n] -= scale * a[n].
fn update(word: u32, a: array<vec4f, CLASSES>, scale: f32) {
  for (var n = 0u; n < CLASSES; n++) {
    for (var j = 0u; j < 4u; j++) {
      w[(word * 4u + j) * CLASSES + n] -= scale * a[n][j];
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let pairs = K / 8u;
  let g = gid.x;
  if (g < pairs) {
    var lo: array<vec4f, CLASSES>; // lo[n][j]: dW for pixel 8g + j and class n
    var hi: array<vec4f, CLASSES>; // hi[n][j]: dW for pixel 8g + 4 + j and class n
    // Two rows per iteration: their 20 dlogits are 5 aligned vec4s. A missing second row reads as pixels 0.
    for (var r = 0u; r < step.rows; r += 2u) {
      let p0 = images[order[step.row0 + r] * pairs + g];
      var p1 = vec2u(0u);
      if (r + 1u < step.rows) {
        p1 = images[order[step.row0 + r + 1u] * pairs + g];
      }
      let d = (r / 2u) * 5u;
      let d0 = dlogits[d];
      let d1 = dlogits[d + 1u];
      let d2 = dlogits[d + 2u];
      let d3 = dlogits[d + 3u];
      let d4 = dlogits[d + 4u];
      add_rows(&lo, unpack(p0.x), unpack(p1.x), d0, d1, d2, d3, d4);
      add_rows(&hi, unpack(p0.y), unpack(p1.y), d0, d1, d2, d3, d4);
    }
    let scale = sgd.lr / 255.0;
    update(2u * g, lo, scale);
    update(2u * g + 1u, hi, scale);
  } else if (g < pairs + CLASSES) {
    let n = g - pairs;
    var db = 0.0;
    for (var r = 0u; r < step.rows; r++) {
      let di = r * CLASSES + n;
      db += dlogits[di / 4u][di % 4u];
    }
    b[n] -= sgd.lr * db;
  }
}
