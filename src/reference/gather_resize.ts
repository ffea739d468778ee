/**
 * CPU twin of shaders/gather_resize.wgsl, in f64: each gathered image resized bilinearly with align_corners=False
 * (PyTorch's F.interpolate(mode='bilinear'): half-pixel centres, source index clamped at 0, no antialiasing), / 255.
 * The source index is PyTorch's for f32 images (CPU, 1.13): the scale size / out rounded to f32, the index in f64, its
 * fraction (the weight) rounded to f32; the interpolation in f64. The shader computes the index in f32 (no f64 in
 * WGSL): its weights differ from these by at most half an f32 ulp of the index, ~1e-6 at 28 px. images: [count, c, h, w] u8; returns x [rows, c, ho, wo] and y [rows].
 */
export function gatherResize(
  images: Uint8Array,
  labels: ArrayLike<number>,
  order: ArrayLike<number>,
  row0: number,
  rows: number,
  shape: { c: number; h: number; w: number; ho: number; wo: number },
): { x: Float64Array; y: Uint32Array } {
  const { c, h, w, ho, wo } = shape;
  const axis = (size: number, out: number) =>
    Array.from({ length: out }, (_, o) => {
      const src = Math.max(Math.fround(size / out) * (o + 0.5) - 0.5, 0);
      const i0 = Math.floor(src);
      return { i0, i1: Math.min(i0 + 1, size - 1), l: Math.fround(src - i0) };
    });
  const ys = axis(h, ho);
  const xs = axis(w, wo);
  const x = new Float64Array(rows * c * ho * wo);
  const y = new Uint32Array(rows);
  for (let r = 0; r < rows; r++) {
    const sample = order[row0 + r];
    for (let ch = 0; ch < c; ch++) {
      const plane = (sample * c + ch) * h * w;
      const p = (iy: number, ix: number) => images[plane + iy * w + ix];
      for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) {
        const { i0: y0, i1: y1, l: ly } = ys[oy];
        const { i0: x0, i1: x1, l: lx } = xs[ox];
        const top = (1 - lx) * p(y0, x0) + lx * p(y0, x1);
        const bottom = (1 - lx) * p(y1, x0) + lx * p(y1, x1);
        x[((r * c + ch) * ho + oy) * wo + ox] = ((1 - ly) * top + ly * bottom) / 255;
      }
    }
    y[r] = labels[sample];
  }
  return { x, y };
}
