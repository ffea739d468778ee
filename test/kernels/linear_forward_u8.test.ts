import { describe, expect, it } from 'vitest';
import { createLinearForwardU8 } from '../../src/kernels/linear.js';
import { dropoutConstants } from '../../src/kernels/dropout_mask.js';
import { linearForwardU8 as kernelDef } from '../../src/kernels/linear_forward_u8.js';
import { linearForwardU8 } from '../../src/reference/linear_forward_u8.js';
import { Rng } from '../../src/random.js';
import { expectClose, IN_PAGE, inPage, oneStep, randomFloats, randomLabels, randomPixels, readFloats, readUints, runPass, subgroupSupport, testGpu, upload, zeros, refusal } from './harness.js';

// The subgroup kernels' tests are skipped, and say why, where the adapter has no fixed subgroup size.
const subgroups = await subgroupSupport();

// K: 784 and 12 (the dataset packs 4 pixels per word, so K is a multiple of 4; 12 is a multiple of no tile).
// Tolerance: as linear_forward (bytes summed in f32 are exact up to 2^24; W products round), 5e-5 + 1e-5 rel.
const TOL = { abs: 5e-5, rel: 1e-5 };

describe('linear_forward_u8: out = act(images[order] / 255 · W + b), y = labels[order]', () => {
  for (const K of [784, 12]) for (const N of inPage([10, 256, 3], [10, 3])) for (const rows of inPage([1, 7, 255, 257], [7, 257])) {
    it(`rows ${rows}, K ${K}, N ${N}, ReLU, from position 5 of a shuffled order`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 11 + K + N);
      const count = rows + 9;
      const images = randomPixels(rng, count * K);
      const labels = randomLabels(rng, count, 10);
      const order = rng.permutation(count);
      const w = randomFloats(rng, K * N, 0.1);
      const b = randomFloats(rng, N, 0.5);
      const row0 = 5;
      const kernel = await kernelDef.create(gpu, { K, N }, { rows, constants: { RELU: 1 } });
      const out = zeros(gpu, rows * N);
      const y = upload(gpu, new Uint32Array(rows).fill(99));
      const group = kernel.bind({ images: upload(gpu, images), labels: upload(gpu, labels), order: upload(gpu, order), w: upload(gpu, w), b: upload(gpu, b), out, y });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows, row0)));
      const want = linearForwardU8(images, labels, order, row0, rows, w, b, K, N, { relu: true });
      expectClose(await readFloats(gpu, out, rows * N), want.out, TOL, 'out');
      expect(await readUints(gpu, y, rows)).toEqual(want.y);
    });
  }
  it('tile 3 x 5 with dropout p 0.2: the same elements dropped as the CPU twin', async () => {
    const gpu = await testGpu();
    const [rows, K, N] = IN_PAGE ? [255, 784, 20] : [255, 784, 256];
    const rng = new Rng(5);
    const images = randomPixels(rng, rows * K);
    const labels = randomLabels(rng, rows, 10);
    const order = rng.permutation(rows);
    const w = randomFloats(rng, K * N, 0.1);
    const b = randomFloats(rng, N, 0.5);
    const mask = dropoutConstants(0.2, 7, 1);
    const kernel = await kernelDef.create(gpu, { K, N }, { rows, constants: { RELU: 0, TR: 3, TC: 5, ...mask } });
    const out = zeros(gpu, rows * N);
    const group = kernel.bind({ images: upload(gpu, images), labels: upload(gpu, labels), order: upload(gpu, order), w: upload(gpu, w), b: upload(gpu, b), out, y: zeros(gpu, rows) });
    await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
    const want = linearForwardU8(images, labels, order, 0, rows, w, b, K, N, { relu: false, dropout: { mask, step: { epoch: 0, index: 0 } } }).out;
    const got = await readFloats(gpu, out, rows * N);
    expectClose(got, want, TOL, 'out');
    expect(got.map((v) => (v === 0 ? 1 : 0))).toEqual(want.map((v) => (v === 0 ? 1 : 0)));
  });
  it('refuses K that is not a multiple of 4', async () => {
    const gpu = await testGpu();
    expect(await refusal(() => kernelDef.create(gpu, { K: 13, N: 3 }))).toMatch(/K must be a multiple of 4/);
  });
});

describe.skipIf(subgroups.missing)('linear_forward_u8_subgroup: the subgroup fast path (N a multiple of 4) against the same twin', () => {
  const cases: Array<[number, number]> = inPage([[784, 256], [12, 20], [784, 20], [12, 256]], [[12, 20], [784, 20]]);
  for (const [K, N] of cases) for (const rows of inPage([1, 7, 257], [257])) {
    it(`rows ${rows}, K ${K}, N ${N}, ReLU${rows === 257 && K === 784 ? ', dropout p 0.2' : ''}, from position 5 of a shuffle`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 19 + K + N);
      const count = rows + 9;
      const images = randomPixels(rng, count * K);
      const labels = randomLabels(rng, count, 10);
      const order = rng.permutation(count);
      const w = randomFloats(rng, K * N, 0.1);
      const b = randomFloats(rng, N, 0.5);
      const mask = rows === 257 && K === 784 ? dropoutConstants(0.2, 5, 0) : null;
      const kernel = await createLinearForwardU8(gpu, { K, N }, rows, { RELU: 1, ...mask }, 'subgroup');
      expect(kernel.kernel.name).toBe('linear_forward_u8_subgroup');
      const out = zeros(gpu, rows * N);
      const y = upload(gpu, new Uint32Array(rows).fill(99));
      const group = kernel.bind({ images: upload(gpu, images), labels: upload(gpu, labels), order: upload(gpu, order), w: upload(gpu, w), b: upload(gpu, b), out, y });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows, 5)));
      const want = linearForwardU8(images, labels, order, 5, rows, w, b, K, N, { relu: true, dropout: mask ? { mask, step: { epoch: 0, index: 0 } } : undefined });
      expectClose(await readFloats(gpu, out, rows * N), want.out, TOL, 'out');
      expect(await readUints(gpu, y, rows)).toEqual(want.y);
    });
  }
});
