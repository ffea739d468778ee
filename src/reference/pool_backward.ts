import { activationSlope, type Alloc, f32, type Floats } from './conv2d_forward.js';

/**
 * CPU twin of shaders/pool_backward.wgsl: dx of 2x2 / stride-2 pooling (mean: dy/4; max: dy to the window's
 * first maximum in row-major order), times act'(a) of the pooled activation a.
 */
export function poolBackward(a: ArrayLike<number>, dy: ArrayLike<number>, rows: number, c: number, h: number, w: number, pool: number, act: number, alloc: Alloc = f32): Floats {
  const ho = Math.floor(h / 2);
  const wo = Math.floor(w / 2);
  const dx = alloc(rows * c * h * w); // [rows, c, h, w], zero outside every window
  for (let plane = 0; plane < rows * c; plane++) {
    for (let py = 0; py < ho; py++) {
      for (let px = 0; px < wo; px++) {
        const g = dy[(plane * ho + py) * wo + px];
        const base = (plane * h + 2 * py) * w + 2 * px;
        const window = [base, base + 1, base + w, base + w + 1];
        if (pool === 1) {
          let best = window[0];
          for (const j of window) if (a[j] > a[best]) best = j;
          dx[best] = g * activationSlope(a[best], act);
        } else {
          for (const j of window) dx[j] = (g / 4) * activationSlope(a[j], act);
        }
      }
    }
  }
  return dx;
}
