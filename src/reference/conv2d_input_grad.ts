import { type Alloc, type ConvDims, convOut, f32, type Floats } from './conv2d_forward.js';

/** CPU twin of the input gradient conv2d_forward_subgroup.wgsl computes (FLIP): dx = ∂l/∂x of a stride-1 convolution, accumulated in f64. */
export function conv2dInputGrad(dy: ArrayLike<number>, w: ArrayLike<number>, rows: number, d: ConvDims, alloc: Alloc = f32): Floats {
  const { ho, wo } = convOut(d);
  const acc = new Float64Array(rows * d.cIn * d.h * d.w); // [rows, cIn, h, w]
  for (let r = 0; r < rows; r++) {
    for (let co = 0; co < d.cOut; co++) {
      for (let oy = 0; oy < ho; oy++) {
        for (let ox = 0; ox < wo; ox++) {
          const g = dy[((r * d.cOut + co) * ho + oy) * wo + ox];
          for (let ci = 0; ci < d.cIn; ci++) {
            for (let ky = 0; ky < d.ks; ky++) {
              const iy = oy + ky - d.pad;
              if (iy < 0 || iy >= d.h) continue;
              for (let kx = 0; kx < d.ks; kx++) {
                const ix = ox + kx - d.pad;
                if (ix < 0 || ix >= d.w) continue;
                acc[((r * d.cIn + ci) * d.h + iy) * d.w + ix] += g * w[((co * d.cIn + ci) * d.ks + ky) * d.ks + kx];
              }
            }
          }
        }
      }
    }
  }
  const dx = alloc(acc.length);
  dx.set(acc);
  return dx;
}
