import { describe, expect, it } from 'vitest';
import { batchNormForward as forwardKernel, batchNormGradReduce as gradReduceKernel, batchNormInputGrad as inputGradKernel, batchNormStatistics as statisticsKernel } from '../../src/kernels/batch_norm.js';
import { batchNormForward, batchNormGradReduce, batchNormInputGrad, batchNormStatistics } from '../../src/reference/batch_norm.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomFloats, readFloats, runPass, testGpu, upload, zeros } from './harness.js';

// shaders/batch_norm.wgsl's four entry points against their twins (src/reference/batch_norm.ts).

// Shapes: BatchNorm1d (HW 1, batch 1 and 7), BatchNorm2d at LeNet's first maps, odd sizes, a step of fewer rows
// than the kernel was made for (the last step of an epoch), a mean far from zero (the two-pass variance).
// wg: the reductions' invocations per channel (REDUCE_WG; lavapipe's tuning takes 64, a GPU's 256); HW a multiple of
// 4 takes the four-at-a-time path (QUAD), others one value at a time.
const STATISTICS_CASES = [
  { rows: 7, maxRows: 7, c: 5, hw: 1, mean: 0, wg: 256 },
  { rows: 2, maxRows: 9, c: 3, hw: 1, mean: 0, wg: 64 },
  { rows: 3, maxRows: 3, c: 6, hw: 28 * 28, mean: 0, wg: 256 },
  { rows: 3, maxRows: 4, c: 6, hw: 28 * 28, mean: 0, wg: 64 },
  { rows: 5, maxRows: 8, c: 17, hw: 13 * 11, mean: 100, wg: 64 },
  { rows: 1, maxRows: 1, c: 2, hw: 9, mean: 0.5, wg: 256 },
  { rows: 4, maxRows: 5, c: 3, hw: 12, mean: 100, wg: 64 },
];

// Tolerance: sums of up to 2,352 f32 values in a tree against f64: 1e-5 relative on the mean and 1/std.
describe('batch_norm statistics: per-channel mean, 1/std and running statistics', () => {
  for (const t of STATISTICS_CASES) {
    it(`rows ${t.rows} of ${t.maxRows}, C ${t.c}, HW ${t.hw}, mean ${t.mean}, ${t.wg} per channel`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(t.c * 31 + t.hw);
      const x = randomFloats(rng, t.maxRows * t.c * t.hw, 2, t.mean);
      const runningMean = randomFloats(rng, t.c, 0.1);
      const runningVar = Float32Array.from({ length: t.c }, () => 0.5 + rng.uniform());
      const k = await statisticsKernel.create(gpu, { C: t.c, HW: t.hw }, { rows: t.maxRows, constants: { MOMENTUM: 0.1, EPS: 1e-5, REDUCE_WG: t.wg } });
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

  it('refuses reductions of a width that is not a power of 2, or past the adapter, in one line that names Tuning.normReduce', async () => {
    const gpu = await testGpu();
    // (.then rather than expect().rejects: this suite also runs in the page, whose expect has no .rejects)
    const refusal = (kernel: typeof statisticsKernel | typeof gradReduceKernel, width: number) =>
      kernel.create(gpu, { C: 2, HW: 4 }, { rows: 2, constants: { REDUCE_WG: width } }).then(() => 'created', (e: Error) => e.message);
    expect(await refusal(statisticsKernel, 96)).toMatch(/^batch_norm: REDUCE_WG 96 is not a power of 2; set Tuning\.normReduce/);
    const past = 2 * gpu.device.limits.maxComputeInvocationsPerWorkgroup;
    expect(await refusal(gradReduceKernel, past)).toMatch(/^batch_norm: REDUCE_WG \d+ is more than this adapter's maxComputeInvocationsPerWorkgroup .*Tuning\.normReduce lower$/);
  });

  it('uses the unbiased variance for the running statistic and the biased one for normalising, as PyTorch', () => {
    // Two values, 0 and 2: mean 1, biased variance 1, unbiased 2.
    const s = batchNormStatistics([0, 2], 2, 1, 1, { mean: [0], var: [1] }, 1, 0);
    expect(s.invstd[0]).toBe(1);
    expect(s.runningVar[0]).toBe(2);
    expect(s.runningMean[0]).toBe(1);
  });
});

// act: the fused activation (ACT: 0 none, 1 sigmoid, 2 ReLU), as a BatchNorm followed by a Sigmoid or ReLU runs.
const FORWARD_CASES = [
  { rows: 7, maxRows: 7, c: 5, hw: 1, act: 0 },
  { rows: 3, maxRows: 8, c: 6, hw: 28 * 28, act: 0 },
  { rows: 1, maxRows: 1, c: 17, hw: 13 * 11, act: 0 },
  { rows: 5, maxRows: 6, c: 3, hw: 1, act: 1 },
  { rows: 3, maxRows: 4, c: 6, hw: 10 * 10, act: 2 },
  { rows: 2, maxRows: 3, c: 4, hw: 7 * 7, act: 1 },
];

// Tolerance: one multiply-add chain in f32 against f64: 1e-6 absolute + 1e-5 relative.
describe('batch_norm forward: training statistics and running statistics', () => {
  for (const t of FORWARD_CASES) {
    for (const training of [true, false]) {
      it(`rows ${t.rows} of ${t.maxRows}, C ${t.c}, HW ${t.hw}, ACT ${t.act}, ${training ? 'training' : 'evaluation'}`, async () => {
        const gpu = await testGpu();
        const rng = new Rng(t.c + t.hw + (training ? 1 : 0));
        const x = randomFloats(rng, t.maxRows * t.c * t.hw, 2, 0.3);
        const p = {
          weight: randomFloats(rng, t.c, 1, 1),
          bias: randomFloats(rng, t.c, 0.5),
          mean: randomFloats(rng, t.c, 0.3),
          spread: Float32Array.from({ length: t.c }, () => 0.2 + rng.uniform()),
        };
        const k = await forwardKernel.create(gpu, { C: t.c, HW: t.hw }, { rows: t.maxRows, constants: { TRAINING: training ? 1 : 0, ACT: t.act } });
        const n = t.maxRows * t.c * t.hw;
        const y = zeros(gpu, n);
        await runPass(gpu, (pass) => k.encode(pass, k.bind({ x: upload(gpu, x), weight: upload(gpu, p.weight), bias: upload(gpu, p.bias), mean: upload(gpu, p.mean), spread: upload(gpu, p.spread), y }), oneStep(gpu, t.rows)));
        const got = await readFloats(gpu, y, n);
        const m = t.rows * t.c * t.hw;
        expectClose(got.subarray(0, m), batchNormForward(x, t.rows, t.c, t.hw, p, training, 1e-5, t.act), { abs: 1e-6, rel: 1e-5 }, 'y');
        expect(got.subarray(m).every((v) => v === 0), 'rows past the step are not written').toBe(true);
      });
    }
  }

  it('evaluation differs from training: the running variance is inverted with eps, the step invstd used as is', () => {
    const p = { weight: [1], bias: [0], mean: [0], spread: [4] };
    expect(batchNormForward([2], 1, 1, 1, p, true)[0]).toBe(8);
    expect(batchNormForward([2], 1, 1, 1, p, false, 0)[0]).toBe(1);
  });
});

const GRAD_REDUCE_CASES = [
  { rows: 7, maxRows: 7, c: 5, hw: 1, act: 0, wg: 256 },
  { rows: 3, maxRows: 8, c: 6, hw: 28 * 28, act: 0, wg: 256 },
  { rows: 3, maxRows: 8, c: 6, hw: 28 * 28, act: 1, wg: 64 },
  { rows: 1, maxRows: 2, c: 17, hw: 13 * 11, act: 0, wg: 64 },
  { rows: 6, maxRows: 6, c: 4, hw: 1, act: 1, wg: 64 },
  { rows: 2, maxRows: 3, c: 6, hw: 12 * 12, act: 2, wg: 256 },
];

/** The forward's output after activation `act` for the backward tests: sigmoid values in (0, 1), ReLU's half zero. */
const activated = (rng: Rng, n: number, act: number): Float32Array => (act === 1 ? Float32Array.from({ length: n }, () => 0.05 + 0.9 * rng.uniform()) : Float32Array.from(randomFloats(rng, n, 1), (v) => Math.max(v, 0)));

// Tolerance: tree sums of up to 2,352 products in f32 against f64.
describe('batch_norm grad_reduce: dweight = sum(g * xhat), dbias = sum(g) per channel, g = dy * act\'(y)', () => {
  for (const t of GRAD_REDUCE_CASES) {
    it(`rows ${t.rows} of ${t.maxRows}, C ${t.c}, HW ${t.hw}, ACT ${t.act}, ${t.wg} per channel`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(7 * t.c + t.hw);
      const n = t.maxRows * t.c * t.hw;
      const x = randomFloats(rng, n, 1.5, 0.2);
      const dy = randomFloats(rng, n, 0.1);
      const stats = { mean: randomFloats(rng, t.c, 0.2), invstd: Float32Array.from({ length: t.c }, () => 0.5 + rng.uniform()) };
      const y = activated(rng, n, t.act);
      const k = await gradReduceKernel.create(gpu, { C: t.c, HW: t.hw }, { rows: t.maxRows, constants: { ACT: t.act, REDUCE_WG: t.wg } });
      const out = { dweight: upload(gpu, new Float32Array(t.c)), dbias: upload(gpu, new Float32Array(t.c)) };
      await runPass(gpu, (pass) => k.encode(pass, k.bind({ x: upload(gpu, x), y: upload(gpu, y), dy: upload(gpu, dy), mean: upload(gpu, stats.mean), invstd: upload(gpu, stats.invstd), ...out }), oneStep(gpu, t.rows)));
      const want = batchNormGradReduce(x, dy, t.rows, t.c, t.hw, stats, { act: t.act, y });
      expectClose(await readFloats(gpu, out.dbias, t.c), want.dbias, { abs: 2e-5, rel: 1e-5 }, 'dbias');
      expectClose(await readFloats(gpu, out.dweight, t.c), want.dweight, { abs: 2e-5, rel: 1e-5 }, 'dweight');
    });
  }
});

const INPUT_GRAD_CASES = [
  { rows: 7, maxRows: 7, c: 5, hw: 1, act: 0 },
  { rows: 3, maxRows: 8, c: 6, hw: 28 * 28, act: 0 },
  { rows: 2, maxRows: 2, c: 17, hw: 13 * 11, act: 0 },
  { rows: 5, maxRows: 7, c: 3, hw: 1, act: 1 },
  { rows: 2, maxRows: 2, c: 6, hw: 12 * 12, act: 2 },
  { rows: 3, maxRows: 4, c: 4, hw: 7 * 7, act: 2 },
];

/** The training forward's loss sum(y * g) for a fixed g (y after activation `act`), in f64: what the finite differences differentiate. */
function lossAfter(x: Float64Array, g: Float64Array, rows: number, c: number, hw: number, weight: ArrayLike<number>, bias: ArrayLike<number>, act: number): number {
  const s = batchNormStatistics(x, rows, c, hw, { mean: new Float64Array(c), var: new Float64Array(c) });
  const y = batchNormForward(x, rows, c, hw, { weight, bias, mean: s.mean, spread: s.invstd }, true, 1e-5, act);
  return y.reduce((a, v, i) => a + v * g[i], 0);
}

// Tolerance: one short f32 expression per value against f64: 1e-6 absolute + 1e-4 relative.
describe('batch_norm input_grad: dx through the batch statistics', () => {
  for (const t of INPUT_GRAD_CASES) {
    it(`rows ${t.rows} of ${t.maxRows}, C ${t.c}, HW ${t.hw}, ACT ${t.act}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(t.c * 3 + t.hw);
      const n = t.maxRows * t.c * t.hw;
      const x = randomFloats(rng, n, 1.5, 0.2);
      const dy = randomFloats(rng, n, 0.1);
      const weight = randomFloats(rng, t.c, 1, 1);
      const y = activated(rng, n, t.act);
      const fused = { act: t.act, y };
      const stats = batchNormStatistics(x, t.rows, t.c, t.hw, { mean: new Float64Array(t.c), var: new Float64Array(t.c) });
      const mean = Float32Array.from(stats.mean);
      const invstd = Float32Array.from(stats.invstd);
      const sums = batchNormGradReduce(x, dy, t.rows, t.c, t.hw, { mean, invstd }, fused);
      const p = { mean, invstd, weight, dweight: Float32Array.from(sums.dweight), dbias: Float32Array.from(sums.dbias) };
      const k = await inputGradKernel.create(gpu, { C: t.c, HW: t.hw }, { rows: t.maxRows, constants: { ACT: t.act } });
      const dx = zeros(gpu, n);
      const bound = { x: upload(gpu, x), y: upload(gpu, y), dy: upload(gpu, dy), mean: upload(gpu, p.mean), invstd: upload(gpu, p.invstd), weight: upload(gpu, p.weight), dweight: upload(gpu, p.dweight), dbias: upload(gpu, p.dbias), dx };
      await runPass(gpu, (pass) => k.encode(pass, k.bind(bound), oneStep(gpu, t.rows)));
      const m = t.rows * t.c * t.hw;
      expectClose((await readFloats(gpu, dx, n)).subarray(0, m), batchNormInputGrad(x, dy, t.rows, t.c, t.hw, p, fused), { abs: 1e-6, rel: 1e-4 }, 'dx');
    });
  }

  for (const act of [0, 1, 2]) it(`the twins (statistics, grad_reduce, input_grad) agree with finite differences of the training forward, ACT ${act}`, () => {
    const [rows, c, hw] = [3, 2, 5];
    const rng = new Rng(11);
    const x = Float64Array.from(randomFloats(rng, rows * c * hw, 1, 0.3));
    const g = Float64Array.from(randomFloats(rng, rows * c * hw));
    const weight = [1.3, 0.7];
    const bias = [0.1, -0.2];
    const loss = (x: Float64Array, g: Float64Array, rows: number, c: number, hw: number, weight: ArrayLike<number>, bias: ArrayLike<number>) => lossAfter(x, g, rows, c, hw, weight, bias, act);
    const s = batchNormStatistics(x, rows, c, hw, { mean: [0, 0], var: [0, 0] });
    const fused = { act, y: batchNormForward(x, rows, c, hw, { weight, bias, mean: s.mean, spread: s.invstd }, true, 1e-5, act) };
    const sums = batchNormGradReduce(x, g, rows, c, hw, s, fused);
    const dx = batchNormInputGrad(x, g, rows, c, hw, { ...s, weight, ...sums }, fused);
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
