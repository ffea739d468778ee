import { describe, expect, it } from 'vitest';
import { batchNormStatistics as kernel } from '../../src/kernels/batch_norm_statistics.js';
import { batchNormStatistics } from '../../src/reference/batch_norm_statistics.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomFloats, readFloats, runPass, testGpu, upload } from './harness.js';

// Shapes: BatchNorm1d (HW 1, batch 1 and 7), BatchNorm2d at LeNet's first maps, odd sizes, a step of fewer rows
// than the kernel was made for (the last step of an epoch), a mean far from zero (the two-pass variance).
const CASES = [
  { rows: 7, maxRows: 7, c: 5, hw: 1, mean: 0 },
  { rows: 2, maxRows: 9, c: 3, hw: 1, mean: 0 },
  { rows: 3, maxRows: 3, c: 6, hw: 28 * 28, mean: 0 },
  { rows: 5, maxRows: 8, c: 17, hw: 13 * 11, mean: 100 },
  { rows: 1, maxRows: 1, c: 2, hw: 9, mean: 0.5 },
];

// Tolerance: sums of up to 2,352 f32 values in a tree against f64: 1e-5 relative on the mean and 1/std.
describe('batch_norm_statistics: per-channel mean, 1/std and running statistics', () => {
  for (const t of CASES) {
    it(`rows ${t.rows} of ${t.maxRows}, C ${t.c}, HW ${t.hw}, mean ${t.mean}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(t.c * 31 + t.hw);
      const x = randomFloats(rng, t.maxRows * t.c * t.hw, 2, t.mean);
      const runningMean = randomFloats(rng, t.c, 0.1);
      const runningVar = Float32Array.from({ length: t.c }, () => 0.5 + rng.uniform());
      const k = await kernel.create(gpu, { C: t.c, HW: t.hw }, { rows: t.maxRows, constants: { MOMENTUM: 0.1, EPS: 1e-5 } });
      const buffers = { x: upload(gpu, x), mean: upload(gpu, new Float32Array(t.c)), invstd: upload(gpu, new Float32Array(t.c)), running_mean: upload(gpu, runningMean), running_var: upload(gpu, runningVar) };
      await runPass(gpu, (pass) => k.encode(pass, k.bind(buffers), oneStep(gpu, t.rows)));
      const want = batchNormStatistics(x, t.rows, t.c, t.hw, { mean: runningMean, var: runningVar }, 0.1, 1e-5);
      const tol = { abs: 1e-5, rel: 1e-5 };
      expectClose(await readFloats(gpu, buffers.mean, t.c), want.mean, { abs: 1e-5 * (1 + t.mean), rel: 1e-5 }, 'mean');
      expectClose(await readFloats(gpu, buffers.invstd, t.c), want.invstd, tol, 'invstd');
      expectClose(await readFloats(gpu, buffers.running_mean, t.c), want.runningMean, { abs: 1e-5 * (1 + t.mean), rel: 1e-5 }, 'running_mean');
      expectClose(await readFloats(gpu, buffers.running_var, t.c), want.runningVar, tol, 'running_var');
    });
  }

  it('uses the unbiased variance for the running statistic and the biased one for normalising, as PyTorch', () => {
    // Two values, 0 and 2: mean 1, biased variance 1, unbiased 2.
    const s = batchNormStatistics([0, 2], 2, 1, 1, { mean: [0], var: [1] }, 1, 0);
    expect(s.invstd[0]).toBe(1);
    expect(s.runningVar[0]).toBe(2);
    expect(s.runningMean[0]).toBe(1);
  });
});
