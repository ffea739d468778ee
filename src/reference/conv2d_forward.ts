/** The arrays the LeNet twins compute in: Float32Array like the GPU, or Float64Array for finite differences. */
export type Floats = Float32Array | Float64Array;
export type Alloc = (n: number) => Floats;
export const f32: Alloc = (n) => new Float32Array(n);
export const f64: Alloc = (n) => new Float64Array(n);

import { type ConvDims, convOut } from '../kernels/conv2d_shape.js';

export { type ConvDims, convOut };

/** act(v): 0 none, 1 sigmoid, 2 ReLU (the kernels' ACT codes). */
export function activate(v: number, act: number): number {
  if (act === 1) return 1 / (1 + Math.exp(-v));
  if (act === 2) return Math.max(v, 0);
  return v;
}
/** act'(v) from the activation's output a. */
export function activationSlope(a: number, act: number): number {
  if (act === 1) return a * (1 - a);
  if (act === 2) return a > 0 ? 1 : 0;
  return 1;
}

/** CPU twin of LeNet's stride-1 convolution (shaders/conv2d_forward_subgroup.wgsl): y = act(conv2d(x, w) + bias), accumulated in f64. */
export function conv2dForward(x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number>, rows: number, d: ConvDims, act: number, alloc: Alloc = f32): Floats {
  const { ho, wo } = convOut(d);
  const y = alloc(rows * d.cOut * ho * wo); // [rows, cOut, ho, wo]
  for (let r = 0; r < rows; r++) {
    for (let co = 0; co < d.cOut; co++) {
      for (let oy = 0; oy < ho; oy++) {
        for (let ox = 0; ox < wo; ox++) {
          let acc = bias[co];
          for (let ci = 0; ci < d.cIn; ci++) {
            for (let ky = 0; ky < d.ks; ky++) {
              const iy = oy + ky - d.pad;
              if (iy < 0 || iy >= d.h) continue;
              for (let kx = 0; kx < d.ks; kx++) {
                const ix = ox + kx - d.pad;
                if (ix < 0 || ix >= d.w) continue;
                acc += x[((r * d.cIn + ci) * d.h + iy) * d.w + ix] * w[((co * d.cIn + ci) * d.ks + ky) * d.ks + kx];
              }
            }
          }
          y[((r * d.cOut + co) * ho + oy) * wo + ox] = activate(acc, act);
        }
      }
    }
  }
  return y;
}
