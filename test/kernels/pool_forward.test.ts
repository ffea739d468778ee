import { describe, expect, it } from 'vitest';
import { POOL_CODES, poolForward as kernel } from '../../src/kernels/pool_forward.js';
import { poolForward } from '../../src/reference/pool_forward.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomFloats, readFloats, refusal, runPass, testGpu, upload, zeros, inPage } from './harness.js';
import { POOL_WINDOW_CASES, quarters, windowConstants, windowOf } from './pool_cases.js';

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

// Tolerance: max is exact; a mean of up to 81 f32 values against f64: 1e-6 abs + 1e-6 rel.
describe('pool_forward: any window, stride and padding (PyTorch AvgPool2d / MaxPool2d)', () => {
  for (const s of inPage(POOL_WINDOW_CASES, POOL_WINDOW_CASES.slice(0, 1))) {
    for (const pool of ['avg', 'max'] as const) {
      if (s.name.startsWith('global') && pool === 'max') continue;
      it(`${s.name}, rows ${s.rows} of ${s.maxRows}, ${pool}`, async () => {
        const gpu = await testGpu();
        const rng = new Rng(s.c * 31 + s.h * 7 + s.ks);
        const x = quarters(rng, s.maxRows * s.c * s.h * s.w);
        const expected = poolForward(x, s.rows, s.c, s.h, s.w, POOL_CODES[pool], undefined, windowOf(s));
        const total = (expected.length / s.rows) * s.maxRows;
        const k = await kernel.create(gpu, { C: s.c, H: s.h, W: s.w }, { rows: s.maxRows, constants: { POOL: POOL_CODES[pool], ...windowConstants(s) } });
        const y = upload(gpu, new Float32Array(total).fill(7), 'y');
        const group = k.bind({ x: upload(gpu, x), y });
        await runPass(gpu, (pass) => k.encode(pass, group, oneStep(gpu, s.rows)));
        const got = await readFloats(gpu, y, total);
        expectClose(got.subarray(0, expected.length), expected, { abs: 1e-6, rel: 1e-6 }, 'y');
        expect(got.subarray(expected.length).every((v) => v === 7), 'rows past the step left alone').toBe(true);
      });
    }
  }

  it('a window wider than half its padding, a stride of 5, a 8x8 window on a larger input: refused in one line', async () => {
    const gpu = await testGpu();
    const shape = { C: 1, H: 12, W: 12 };
    expect(await refusal(() => kernel.create(gpu, shape, { constants: { KS: 3, STRIDE: 1, PAD: 2 } }))).toMatch(/padding 2 is more than half the 3x3 window/);
    expect(await refusal(() => kernel.create(gpu, shape, { constants: { KS: 3, STRIDE: 5, PAD: 0 } }))).toMatch(/stride 5 is not an integer from 1 to 4/);
    expect(await refusal(() => kernel.create(gpu, shape, { constants: { KS: 8, STRIDE: 1, PAD: 0 } }))).toMatch(/window KS 8 is not an integer from 1 to 7 \(or the whole input\)/);
    expect(await refusal(() => kernel.create(gpu, { C: 1, H: 2, W: 2 }, { constants: { KS: 5, STRIDE: 1, PAD: 1 } }))).toMatch(/a 2x2 input \(padding 1\) has no 5x5 window/);
  });
});
