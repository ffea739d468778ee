import { describe, expect, it } from 'vitest';
import { relu as reluKernel } from '../../src/kernels/relu.js';
import { relu } from '../../src/reference/relu.js';
import { Rng } from '../../src/random.js';
import { oneStep, randomFloats, readFloats, runPass, testGpu, upload, zeros } from './harness.js';

// Exact: max(x, 0) rounds nothing. Values past the step's rows stay untouched.
describe('relu: out = max(x, 0)', () => {
  for (const N of [10, 256, 3]) for (const rows of [1, 7, 257]) {
    it(`rows ${rows}, N ${N}`, async () => {
      const gpu = await testGpu();
      const x = randomFloats(new Rng(rows + N), (rows + 1) * N);
      const kernel = await reluKernel.create(gpu, { N }, { rows: rows + 1 });
      const out = upload(gpu, new Float32Array((rows + 1) * N).fill(-7));
      const group = kernel.bind({ x: upload(gpu, x), out });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
      const got = await readFloats(gpu, out, (rows + 1) * N);
      expect(got.subarray(0, rows * N)).toEqual(relu(x.subarray(0, rows * N)));
      expect(got.subarray(rows * N).every((v) => v === -7)).toBe(true);
    });
  }
  it('is exact on zeros and negatives', async () => {
    const gpu = await testGpu();
    const x = Float32Array.of(-0, 0, -1e-30, 1e-30, -Infinity, Infinity);
    const kernel = await reluKernel.create(gpu, { N: 6 }, { rows: 1 });
    const out = zeros(gpu, 6);
    const group = kernel.bind({ x: upload(gpu, x), out });
    await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, 1)));
    expect(Array.from(await readFloats(gpu, out, 6))).toEqual([0, 0, 0, 1e-30 as number, 0, Infinity].map(Math.fround));
  });
});
