import { describe, expect, it } from 'vitest';
import { createLinearInputGrad } from '../../src/kernels/linear.js';
import { dropoutConstants } from '../../src/kernels/dropout_mask.js';
import { linearInputGrad as kernelDef } from '../../src/kernels/linear_input_grad.js';
import { linearInputGrad } from '../../src/reference/linear_input_grad.js';
import { Rng } from '../../src/random.js';
import { expectClose, inPage, oneStep, randomFloats, readFloats, runPass, subgroupSupport, testGpu, upload, zeros } from './harness.js';

// The subgroup kernels' tests are skipped, and say why, where the adapter has no fixed subgroup size.
const subgroups = await subgroupSupport();

// Tolerance: each dx sums N (<= 256) products of dy ~ N(0, 1/rows²)·... here dy ~ N(0, 0.01) and W ~ N(0, 0.1):
// |dx| ~ 0.02, f32 rounding over 256 terms ~1e-8; 1e-7 abs + 1e-5 rel.
const TOL = { abs: 1e-7, rel: 1e-5 };

// h: a ReLU output (about half zeros), or a sigmoid's output in (0, 1).
const hiddenOf = (rng: Rng, n: number, sigmoid: boolean) => randomFloats(rng, n, 1).map((v) => (sigmoid ? Math.fround(1 / (1 + Math.exp(-2 * v))) : Math.max(v, 0)));

async function run(rows: number, K: number, N: number, constants: Record<string, number>, seed: number) {
  const gpu = await testGpu();
  const rng = new Rng(seed);
  const dy = randomFloats(rng, rows * N, 0.01);
  const w = randomFloats(rng, K * N, 0.1);
  const h = hiddenOf(rng, rows * K, constants.SIGMOID_SLOPE === 1);
  const kernel = await kernelDef.create(gpu, { K, N }, { rows, constants });
  const dx = zeros(gpu, rows * K);
  const group = kernel.bind({ dy: upload(gpu, dy), w: upload(gpu, w), h: upload(gpu, h), dx });
  await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
  return { dy, w, h, dx: await readFloats(gpu, dx, rows * K) };
}

describe('linear_input_grad: dx = (dy·Wᵀ) ⊙ [h > 0] ⊙ dropout mask', () => {
  for (const K of [784, 13]) for (const N of inPage([10, 256, 3], [10, 3])) for (const rows of inPage([1, 7, 255, 257], [7, 257])) {
    it(`rows ${rows}, K ${K}, N ${N}, ReLU mask`, async () => {
      const { dy, w, h, dx } = await run(rows, K, N, {}, rows + K * 3 + N);
      expectClose(dx, linearInputGrad(dy, w, h, rows, K, N), TOL, 'dx');
    });
  }
  it('no mask, tile 5 x 3, rows 257, K 256, N 10', async () => {
    const { dy, w, h, dx } = await run(257, 256, 10, { RELU_MASK: 0, TR: 5, TC: 3 }, 1);
    expectClose(dx, linearInputGrad(dy, w, h, 257, 256, 10, { reluMask: false }), TOL, 'dx');
  });
  for (const [rows, K, N, TR, TC] of [[257, 120, 84, 8, 4], [7, 13, 10, 5, 3], [256, 84, 10, 8, 4]]) {
    it(`sigmoid slope h(1 - h), rows ${rows}, K ${K}, N ${N}, tile ${TR} x ${TC}`, async () => {
      const { dy, w, h, dx } = await run(rows, K, N, { RELU_MASK: 0, SIGMOID_SLOPE: 1, TR, TC }, rows + K);
      expectClose(dx, linearInputGrad(dy, w, h, rows, K, N, { reluMask: false, sigmoidSlope: true }), TOL, 'dx');
    });
  }
  it('ReLU and dropout p 0.5 masks: zero exactly where the CPU twin is zero', async () => {
    const mask = dropoutConstants(0.5, 3, 0);
    const { dy, w, h, dx } = await run(255, 256, 10, mask, 2);
    const want = linearInputGrad(dy, w, h, 255, 256, 10, { reluMask: true, dropout: { mask, step: { epoch: 0, index: 0 } } });
    expectClose(dx, want, TOL, 'dx');
    expect(dx.map((v) => (v === 0 ? 1 : 0))).toEqual(want.map((v) => (v === 0 ? 1 : 0)));
  });
});

describe.skipIf(subgroups.missing)('linear_input_grad_subgroup: the subgroup fast path (N a multiple of 4) against the same twin', () => {
  const cases: Array<[number, number]> = inPage([[784, 256], [13, 20], [256, 20], [13, 256]], [[13, 20], [256, 20]]);
  for (const [K, N] of cases) for (const rows of inPage([1, 7, 257], [257])) {
    it(`rows ${rows}, K ${K}, N ${N}, ReLU mask${rows === 257 && K === 256 ? ', dropout p 0.5' : ''}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 23 + K + N);
      const dy = randomFloats(rng, rows * N, 0.01);
      const w = randomFloats(rng, K * N, 0.1);
      const h = randomFloats(rng, rows * K, 1).map((v) => Math.max(v, 0));
      const mask = rows === 257 && K === 256 ? dropoutConstants(0.5, 6, 0) : null;
      const kernel = await createLinearInputGrad(gpu, { K, N }, rows, { RELU_MASK: 1, ...mask }, 'subgroup');
      expect(kernel.kernel.name).toBe('linear_input_grad_subgroup');
      const dx = zeros(gpu, rows * K);
      const group = kernel.bind({ dy: upload(gpu, dy), w: upload(gpu, w), h: upload(gpu, h), dx });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
      const want = linearInputGrad(dy, w, h, rows, K, N, { reluMask: true, dropout: mask ? { mask, step: { epoch: 0, index: 0 } } : undefined });
      expectClose(await readFloats(gpu, dx, rows * K), want, TOL, 'dx');
    });
  }
  for (const [K, N, rows] of [[400, 120, 256], [120, 84, 257], [13, 20, 7]]) {
    it(`sigmoid slope h(1 - h), rows ${rows}, K ${K}, N ${N}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 29 + K + N);
      const dy = randomFloats(rng, rows * N, 0.01);
      const w = randomFloats(rng, K * N, 0.1);
      const h = hiddenOf(rng, rows * K, true);
      const kernel = await createLinearInputGrad(gpu, { K, N }, rows, { RELU_MASK: 0, SIGMOID_SLOPE: 1 }, 'subgroup');
      expect(kernel.kernel.name).toBe('linear_input_grad_subgroup');
      const dx = zeros(gpu, rows * K);
      const group = kernel.bind({ dy: upload(gpu, dy), w: upload(gpu, w), h: upload(gpu, h), dx });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
      expectClose(await readFloats(gpu, dx, rows * K), linearInputGrad(dy, w, h, rows, K, N, { reluMask: false, sigmoidSlope: true }), TOL, 'dx');
    });
  }
});
