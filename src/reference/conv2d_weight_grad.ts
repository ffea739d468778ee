import { type Alloc, type ConvDims, convOut, f32, type Floats } from './conv2d_forward.js';

/** CPU twin of shaders/conv2d_weight_grad_subgroup.wgsl with its reduce: dw [cOut, cIn, ks, ks] and db [cOut] summed over rows, in f64. */
export function conv2dWeightGrad(x: ArrayLike<number>, dy: ArrayLike<number>, rows: number, d: ConvDims, alloc: Alloc = f32): { dw: Floats; db: Floats } {
  const { ho, wo } = convOut(d);
  const dw = new Float64Array(d.cOut * d.cIn * d.ks * d.ks);
  const db = new Float64Array(d.cOut);
  for (let r = 0; r < rows; r++) {
    for (let co = 0; co < d.cOut; co++) {
      for (let oy = 0; oy < ho; oy++) {
        for (let ox = 0; ox < wo; ox++) {
          const g = dy[((r * d.cOut + co) * ho + oy) * wo + ox];
          db[co] += g;
          if (g === 0) continue;
          for (let ci = 0; ci < d.cIn; ci++) {
            for (let ky = 0; ky < d.ks; ky++) {
              const iy = oy + ky - d.pad;
              if (iy < 0 || iy >= d.h) continue;
              for (let kx = 0; kx < d.ks; kx++) {
                const ix = ox + kx - d.pad;
                if (ix < 0 || ix >= d.w) continue;
                dw[((co * d.cIn + ci) * d.ks + ky) * d.ks + kx] += g * x[((r * d.cIn + ci) * d.h + iy) * d.w + ix];
              }
            }
          }
        }
      }
    }
  }
  const outW = alloc(dw.length);
  outW.set(dw);
  const outB = alloc(db.length);
  outB.set(db);
  return { dw: outW, db: outB };
}
