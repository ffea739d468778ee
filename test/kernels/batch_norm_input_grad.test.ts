import { describe, expect, it } from 'vitest';
import { batchNormInputGrad as kernel } from '../../src/kernels/batch_norm_input_grad.js';
import { batchNormForward } from '../../src/reference/batch_norm_forward.js';
import { batchNormGradReduce } from '../../src/reference/batch_norm_grad_reduce.js';
import { batchNormInputGrad } from '../../src/reference/batch_norm_input_grad.js';
import { batchNormStatistics } from '../../src/reference/batch_norm_statistics.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomFloats, readFloats, runPass, testGpu, upload, zeros } from './harness.js';

const CASES = [
  { rows: 7, maxRows: 7, c: 5, hw: 1 },
  { rows: 3, maxRows: 8, c: 6, hw: 28 * 28 },
  { rows: 2, maxRows: 2, c: 17, hw: 13 * 11 },
];

/** The training forward's loss sum(y * g) for a fixed g, in f64: what the finite differences differentiate. */
function loss(x: Float64Array, g: Float64Array, rows: number, c: number, hw: number, weight: ArrayLike<number>, bias: ArrayLike<number>): number {
  const s = batchNormStatistics(x, rows, c, hw, { mean: new Float64Array(c), var: new Float64Array(c) });
  const y = batchNormForward(x, rows, c, hw, { weight, bias, mean: s.mean, spread: s.invstd }, true);
  return y.reduce((a, v, i) => a + v * g[i], 0);
}

// Tolerance: one short f32 expression per value against f64: 1e-6 absolute + 1e-4 relative.
describe('batch_norm_input_grad: dx through the batch statistics', () => {
  for (const t of CASES) {
    it(`rows ${t.rows} of ${t.maxRows}, C ${t.c}, HW ${t.hw}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(t.c * 3 + t.hw);
      const n = t.maxRows * t.c * t.hw;
      const x = randomFloats(rng, n, 1.5, 0.2);
      const dy = randomFloats(rng, n, 0.1);
      const weight = randomFloats(rng, t.c, 1, 1);
      const stats = batchNormStatistics(x, t.rows, t.c, t.hw, { mean: new Float64Array(t.c), var: new Float64Array(t.c) });
      const mean = Float32Array.from(stats.mean);
      const invstd = Float32Array.from(stats.invstd);
      const sums = batchNormGradReduce(x, dy, t.rows, t.c, t.hw, { mean, invstd });
      const p = { mean, invstd, weight, dweight: Float32Array.from(sums.dweight), dbias: Float32Array.from(sums.dbias) };
      const k = await kernel.create(gpu, { C: t.c, HW: t.hw }, { rows: t.maxRows });
      const dx = zeros(gpu, n);
      const bound = { x: upload(gpu, x), dy: upload(gpu, dy), mean: upload(gpu, p.mean), invstd: upload(gpu, p.invstd), weight: upload(gpu, p.weight), dweight: upload(gpu, p.dweight), dbias: upload(gpu, p.dbias), dx };
      await runPass(gpu, (pass) => k.encode(pass, k.bind(bound), oneStep(gpu, t.rows)));
      const m = t.rows * t.c * t.hw;
      expectClose((await readFloats(gpu, dx, n)).subarray(0, m), batchNormInputGrad(x, dy, t.rows, t.c, t.hw, p), { abs: 1e-6, rel: 1e-4 }, 'dx');
    });
  }

  it('the twins (statistics, grad_reduce, input_grad) agree with finite differences of the training forward', () => {
    const [rows, c, hw] = [3, 2, 5];
    const rng = new Rng(11);
    const x = Float64Array.from(randomFloats(rng, rows * c * hw, 1, 0.3));
    const g = Float64Array.from(randomFloats(rng, rows * c * hw));
    const weight = [1.3, 0.7];
    const bias = [0.1, -0.2];
    const s = batchNormStatistics(x, rows, c, hw, { mean: [0, 0], var: [0, 0] });
    const sums = batchNormGradReduce(x, g, rows, c, hw, s);
    const dx = batchNormInputGrad(x, g, rows, c, hw, { ...s, weight, ...sums });
    const h = 1e-6;
    for (let i = 0; i < x.length; i++) {
      const plus = x.slice();
      const minus = x.slice();
      plus[i] += h;
      minus[i] -= h;
      const numeric = (loss(plus, g, rows, c, hw, weight, bias) - loss(minus, g, rows, c, hw, weight, bias)) / (2 * h);
      expect(Math.abs(dx[i] - numeric), `dx[${i}]`).toBeLessThan(1e-6);
    }
    // dweight and dbias: the loss is linear in them.
    for (let ch = 0; ch < c; ch++) {
      const w2 = [...weight];
      w2[ch] += h;
      const numericW = (loss(x, g, rows, c, hw, w2, bias) - loss(x, g, rows, c, hw, weight, bias)) / h;
      expect(Math.abs(sums.dweight[ch] - numericW), `dweight[${ch}]`).toBeLessThan(1e-5);
      const b2 = [...bias];
      b2[ch] += h;
      const numericB = (loss(x, g, rows, c, hw, weight, b2) - loss(x, g, rows, c, hw, weight, bias)) / h;
      expect(Math.abs(sums.dbias[ch] - numericB), `dbias[${ch}]`).toBeLessThan(1e-5);
    }
  });
});
