import { type Alloc, f32, type Floats } from './conv2d_forward.js';

/** CPU twin of shaders/pool_forward.wgsl: 2x2 / stride-2 mean (pool 0) or max (pool 1), odd sizes floored. */
export function poolForward(x: ArrayLike<number>, rows: number, c: number, h: number, w: number, pool: number, alloc: Alloc = f32): Floats {
  const ho = Math.floor(h / 2);
  const wo = Math.floor(w / 2);
  const y = alloc(rows * c * ho * wo); // [rows, c, ho, wo]
  for (let plane = 0; plane < rows * c; plane++) {
    for (let py = 0; py < ho; py++) {
      for (let px = 0; px < wo; px++) {
        const base = (plane * h + 2 * py) * w + 2 * px;
        const v = [x[base], x[base + 1], x[base + w], x[base + w + 1]];
        y[(plane * ho + py) * wo + px] = pool === 1 ? Math.max(...v) : (v[0] + v[1] + v[2] + v[3]) / 4;
      }
    }
  }
  return y;
}
