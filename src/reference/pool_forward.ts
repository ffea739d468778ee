import { type Alloc, f32, type Floats } from './conv2d_forward.js';

/** A pooling window: kh x kw, `stride` apart, `pad` on every side (the pool kernels' KH, KW, STRIDE, PAD). */
export interface PoolWindow {
  kh: number;
  kw: number;
  stride: number;
  pad: number;
}
/** LeNet's 2x2 windows with stride 2, the kernels' default. */
export const LENET_WINDOW: PoolWindow = { kh: 2, kw: 2, stride: 2, pad: 0 };
/** A square k x k window. */
export const squareWindow = (k: number, stride = k, pad = 0): PoolWindow => ({ kh: k, kw: k, stride, pad });

export const poolOut = (h: number, w: number, win: PoolWindow) => ({
  ho: Math.floor((h + 2 * win.pad - win.kh) / win.stride) + 1,
  wo: Math.floor((w + 2 * win.pad - win.kw) / win.stride) + 1,
});

/**
 * The input indices of window (oy, ox) of plane `plane`, in row-major scan order, padding left out: the one
 * statement of a window shared by the forward and backward twins.
 */
export function windowIndices(plane: number, oy: number, ox: number, h: number, w: number, win: PoolWindow): number[] {
  const out: number[] = [];
  for (let ky = 0; ky < win.kh; ky++) {
    const iy = oy * win.stride - win.pad + ky;
    if (iy < 0 || iy >= h) continue;
    for (let kx = 0; kx < win.kw; kx++) {
      const ix = ox * win.stride - win.pad + kx;
      if (ix >= 0 && ix < w) out.push((plane * h + iy) * w + ix);
    }
  }
  return out;
}

/**
 * CPU twin of shaders/pool_forward.wgsl: the mean (pool 0; padding counted, divided by kh·kw) or the maximum
 * (pool 1; padding is -inf) of each window, floor mode; default 2x2 / stride 2.
 */
export function poolForward(x: ArrayLike<number>, rows: number, c: number, h: number, w: number, pool: number, alloc: Alloc = f32, win: PoolWindow = LENET_WINDOW): Floats {
  const { ho, wo } = poolOut(h, w, win);
  const y = alloc(rows * c * ho * wo); // [rows, c, ho, wo]
  for (let plane = 0; plane < rows * c; plane++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        const v = windowIndices(plane, oy, ox, h, w, win).map((j) => x[j]);
        y[(plane * ho + oy) * wo + ox] = pool === 1 ? Math.max(...v) : v.reduce((s, e) => s + e, 0) / (win.kh * win.kw);
      }
    }
  }
  return y;
}
