import { activationSlope, type Alloc, f32, type Floats } from './conv2d_forward.js';
import { LENET_WINDOW, type PoolWindow, poolOut, windowIndices } from './pool_forward.js';

/**
 * CPU twin of shaders/pool_backward.wgsl: dx of pooling (mean: dy/(kh·kw) to each element of the window; max: dy
 * to the window's first maximum in row-major order), summed over the windows holding each element, times act'(a)
 * of the pooled activation a; default 2x2 / stride 2.
 */
export function poolBackward(a: ArrayLike<number>, dy: ArrayLike<number>, rows: number, c: number, h: number, w: number, pool: number, act: number, alloc: Alloc = f32, win: PoolWindow = LENET_WINDOW): Floats {
  const { ho, wo } = poolOut(h, w, win);
  const g = new Float64Array(rows * c * h * w); // [rows, c, h, w], zero outside every window
  for (let plane = 0; plane < rows * c; plane++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        const d = dy[(plane * ho + oy) * wo + ox];
        const window = windowIndices(plane, oy, ox, h, w, win);
        if (pool === 1) {
          let best = window[0];
          for (const j of window) if (a[j] > a[best]) best = j;
          g[best] += d;
        } else {
          for (const j of window) g[j] += d / (win.kh * win.kw);
        }
      }
    }
  }
  const dx = alloc(g.length);
  for (let i = 0; i < g.length; i++) dx[i] = g[i] * activationSlope(a[i], act);
  return dx;
}
