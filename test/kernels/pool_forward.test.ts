import { describe, it } from 'vitest';
import { POOL_CODES, poolForward as kernel } from '../../src/kernels/pool_forward.js';
import { poolForward } from '../../src/reference/pool_forward.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomFloats, readFloats, runPass, testGpu, upload, zeros , inPage } from './harness.js';

// Shapes: LeNet's two pools (6x28x28, 16x10x10) and odd sizes (13, 5: the last row/column is dropped).
const SHAPES = [
  { c: 6, h: 28, w: 28 },
  { c: 16, h: 10, w: 10 },
  { c: 3, h: 13, w: 13 },
  { c: 1, h: 5, w: 14 },
];

// Tolerance: max is exact; the mean of four f32 values differs from f64 by one rounding: 1e-6 abs + 1e-6 rel.
describe('pool_forward: 2x2 / stride-2 mean or max', () => {
  for (const s of SHAPES) {
    for (const rows of inPage([1, 7, 257], [7])) {
      for (const pool of ['avg', 'max'] as const) {
        it(`${s.c}x${s.h}x${s.w}, rows ${rows}, ${pool}`, async () => {
          const gpu = await testGpu();
          const rng = new Rng(rows + s.c * 100 + s.h);
          const x = randomFloats(rng, rows * s.c * s.h * s.w);
          const n = rows * s.c * Math.floor(s.h / 2) * Math.floor(s.w / 2);
          const k = await kernel.create(gpu, { C: s.c, H: s.h, W: s.w }, { rows, constants: { POOL: POOL_CODES[pool] } });
          const y = zeros(gpu, n);
          const group = k.bind({ x: upload(gpu, x), y });
          await runPass(gpu, (pass) => k.encode(pass, group, oneStep(gpu, rows)));
          expectClose(await readFloats(gpu, y, n), poolForward(x, rows, s.c, s.h, s.w, POOL_CODES[pool]), { abs: 1e-6, rel: 1e-6 }, 'y');
        });
      }
    }
  }
});
