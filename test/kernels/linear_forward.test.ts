import { describe, expect, it } from 'vitest';
import { createLinearForward } from '../../src/kernels/linear.js';
import { dropoutConstants } from '../../src/kernels/dropout_mask.js';
import { linearForward as linearForwardKernel } from '../../src/kernels/linear_forward.js';
import { linearForward } from '../../src/reference/linear_forward.js';
import { Rng } from '../../src/random.js';
import { StepSlots } from '../../src/train/steps.js';
import { expectClose, inPage, oneStep, randomFloats, readFloats, runPass, subgroupSupport, testGpu, upload, zeros } from './harness.js';

// The subgroup kernels' tests are skipped, and say why, where the adapter has no fixed subgroup size.
const subgroups = await subgroupSupport();

// Shapes that are multiples of no tile (TR 8 x TC 4 by default; 3 x 5 below).
export const MLP_ROWS = [1, 7, 255, 257];
export const MLP_K = [784, 13];
export const MLP_N = [10, 256, 3];

// Tolerance: the GPU sums K products in f32, the reference in f64. x in [0, 1], W ~ N(0, 0.1): |out| ~ 3 and
// f32 rounding over K = 784 terms stays below ~1e-5; 5e-5 abs + 1e-5 rel (as matmul_bias).
const TOL = { abs: 5e-5, rel: 1e-5 };

async function run(rows: number, K: number, N: number, constants: Record<string, number>, seed: number, step = oneStep) {
  const gpu = await testGpu();
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: rows * K }, () => rng.uniform());
  const w = randomFloats(rng, K * N, 0.1);
  const b = randomFloats(rng, N, 0.5);
  const kernel = await linearForwardKernel.create(gpu, { K, N }, { rows, constants });
  const out = zeros(gpu, rows * N);
  const group = kernel.bind({ x: upload(gpu, x), w: upload(gpu, w), b: upload(gpu, b), out });
  await runPass(gpu, (pass) => kernel.encode(pass, group, step(gpu, rows)));
  return { x, w, b, out: await readFloats(gpu, out, rows * N) };
}

describe('linear_forward: out = act(x·W + b), register-tiled', () => {
  for (const K of MLP_K) for (const N of inPage(MLP_N, [10, 3])) for (const rows of inPage(MLP_ROWS, [7, 257])) {
    it(`rows ${rows}, K ${K}, N ${N}, ReLU`, async () => {
      const { x, w, b, out } = await run(rows, K, N, { RELU: 1 }, rows * 7 + K + N);
      expectClose(out, linearForward(x, w, b, rows, K, N, { relu: true }), TOL, 'out');
    });
  }
  // LeNet's dense layers: the sigmoid fused (SIGMOID), 1 / (1 + e^-v) as the conv kernels compute it.
  for (const [K, N] of [[400, 120], [120, 84]]) {
    it(`rows 257, K ${K}, N ${N}, sigmoid`, async () => {
      const { x, w, b, out } = await run(257, K, N, { SIGMOID: 1 }, K + N);
      expectClose(out, linearForward(x, w, b, 257, K, N, { relu: false, sigmoid: true }), TOL, 'out');
    });
  }
  for (const [TR, TC] of inPage([[3, 5], [1, 1], [16, 2]], [[3, 5]])) {
    it(`tile ${TR} x ${TC}, rows 257, K 784, N 10, no ReLU`, async () => {
      const { x, w, b, out } = await run(257, 784, 10, { TR, TC, RELU: 0 }, TR * 100 + TC);
      expectClose(out, linearForward(x, w, b, 257, 784, 10), TOL, 'out');
    });
  }

  it('dropout p 0.5 in step 2 of epoch 5: the CPU twin drops exactly the same elements', async () => {
    const [rows, K, N] = [257, 13, 256];
    const mask = dropoutConstants(0.5, 42, 0);
    const gpu = await testGpu();
    const slots = StepSlots.create(gpu.device, [{ row0: 0, rows }, { row0: 0, rows }, { row0: 0, rows }]);
    slots.setEpoch(gpu.device.queue, 5);
    const { x, w, b, out } = await run(rows, K, N, { RELU: 0, ...mask }, 9, () => slots.groups[2]);
    const want = linearForward(x, w, b, rows, K, N, { relu: false, dropout: { mask, step: { epoch: 5, index: 2 } } });
    expectClose(out, want, TOL, 'out');
    // Without ReLU a zero is a dropped element: the masks agree element for element.
    expect(out.map((v) => (v === 0 ? 1 : 0))).toEqual(want.map((v) => (v === 0 ? 1 : 0)));
    const dropped = want.filter((v) => v === 0).length / want.length;
    expect(Math.abs(dropped - 0.5)).toBeLessThan(0.01); // 65,792 Bernoulli(0.5) draws: sd 0.002
    // Another step of the same epoch draws another mask.
    const other = linearForward(x, w, b, rows, K, N, { relu: false, dropout: { mask, step: { epoch: 5, index: 1 } } });
    const same = other.filter((v, i) => (v === 0) === (want[i] === 0)).length / want.length;
    expect(same).toBeLessThan(0.55);
  });
});

describe.skipIf(subgroups.missing)('linear_forward_subgroup: the subgroup fast path (N and K multiples of 4) against the same twin', () => {
  for (const [K, N] of [[400, 120], [120, 84]]) {
    it(`rows 257, K ${K}, N ${N}, sigmoid (LeNet's dense layers)`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(K * 3 + N);
      const x = Float32Array.from({ length: 257 * K }, () => rng.uniform());
      const w = randomFloats(rng, K * N, 0.1);
      const b = randomFloats(rng, N, 0.5);
      const kernel = await createLinearForward(gpu, { K, N }, 257, { SIGMOID: 1 }, 'subgroup');
      const out = zeros(gpu, 257 * N);
      const group = kernel.bind({ x: upload(gpu, x), w: upload(gpu, w), b: upload(gpu, b), out });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, 257)));
      expectClose(await readFloats(gpu, out, 257 * N), linearForward(x, w, b, 257, K, N, { relu: false, sigmoid: true }), TOL, 'out');
    });
  }
  const cases: Array<[number, number]> = inPage([[784, 256], [12, 20], [784, 20], [12, 256]], [[12, 20], [784, 20]]);
  for (const [K, N] of cases) for (const rows of inPage([1, 7, 257], [257])) {
    it(`rows ${rows}, K ${K}, N ${N}, ReLU${rows === 257 && K === 12 ? ', dropout p 0.5' : ''}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 17 + K + N);
      const x = Float32Array.from({ length: rows * K }, () => rng.uniform());
      const w = randomFloats(rng, K * N, 0.1);
      const b = randomFloats(rng, N, 0.5);
      const mask = rows === 257 && K === 12 ? dropoutConstants(0.5, 4, 1) : null;
      const kernel = await createLinearForward(gpu, { K, N }, rows, { RELU: 1, ...mask }, 'subgroup');
      expect(kernel.kernel.name).toBe('linear_forward_subgroup');
      const out = zeros(gpu, rows * N);
      const group = kernel.bind({ x: upload(gpu, x), w: upload(gpu, w), b: upload(gpu, b), out });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
      const want = linearForward(x, w, b, rows, K, N, { relu: true, dropout: mask ? { mask, step: { epoch: 0, index: 0 } } : undefined });
      expectClose(await readFloats(gpu, out, rows * N), want, TOL, 'out');
    });
  }
});
