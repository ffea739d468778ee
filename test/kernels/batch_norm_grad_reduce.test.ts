import { describe, it } from 'vitest';
import { batchNormGradReduce as kernel } from '../../src/kernels/batch_norm_grad_reduce.js';
import { batchNormGradReduce } from '../../src/reference/batch_norm_grad_reduce.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomFloats, readFloats, runPass, testGpu, upload } from './harness.js';

const CASES = [
  { rows: 7, maxRows: 7, c: 5, hw: 1 },
  { rows: 3, maxRows: 8, c: 6, hw: 28 * 28 },
  { rows: 1, maxRows: 2, c: 17, hw: 13 * 11 },
];

// Tolerance: tree sums of up to 2,352 products in f32 against f64.
describe('batch_norm_grad_reduce: dweight = sum(dy * xhat), dbias = sum(dy) per channel', () => {
  for (const t of CASES) {
    it(`rows ${t.rows} of ${t.maxRows}, C ${t.c}, HW ${t.hw}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(7 * t.c + t.hw);
      const n = t.maxRows * t.c * t.hw;
      const x = randomFloats(rng, n, 1.5, 0.2);
      const dy = randomFloats(rng, n, 0.1);
      const stats = { mean: randomFloats(rng, t.c, 0.2), invstd: Float32Array.from({ length: t.c }, () => 0.5 + rng.uniform()) };
      const k = await kernel.create(gpu, { C: t.c, HW: t.hw }, { rows: t.maxRows });
      const out = { dweight: upload(gpu, new Float32Array(t.c)), dbias: upload(gpu, new Float32Array(t.c)) };
      await runPass(gpu, (pass) => k.encode(pass, k.bind({ x: upload(gpu, x), dy: upload(gpu, dy), mean: upload(gpu, stats.mean), invstd: upload(gpu, stats.invstd), ...out }), oneStep(gpu, t.rows)));
      const want = batchNormGradReduce(x, dy, t.rows, t.c, t.hw, stats);
      expectClose(await readFloats(gpu, out.dbias, t.c), want.dbias, { abs: 2e-5, rel: 1e-5 }, 'dbias');
      expectClose(await readFloats(gpu, out.dweight, t.c), want.dweight, { abs: 2e-5, rel: 1e-5 }, 'dweight');
    });
  }
});
