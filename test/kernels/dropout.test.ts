import { describe, expect, it } from 'vitest';
import { dropout as dropoutKernel } from '../../src/kernels/dropout.js';
import { dropoutConstants, NO_DROPOUT } from '../../src/kernels/dropout_mask.js';
import { dropout } from '../../src/reference/dropout.js';
import { Rng } from '../../src/random.js';
import { StepSlots } from '../../src/train/steps.js';
import { inPage, randomFloats, readFloats, runPass, testGpu, upload, zeros } from './harness.js';

// Exact: the mask is the same u32 hash on both sides and x * f32(1 / (1 - p)) is one f32 rounding.
describe('dropout: out = x / (1 - p) where the hash of (seed, epoch, step, element) keeps it, else 0', () => {
  for (const p of inPage([0, 0.2, 0.5, 0.9], [0, 0.5])) for (const [rows, N] of [[1, 10], [7, 3], [257, 256]]) {
    it(`p ${p}, rows ${rows}, N ${N}, step 3 of epoch 2`, async () => {
      const gpu = await testGpu();
      const x = randomFloats(new Rng(rows + N), rows * N);
      const mask = p === 0 ? NO_DROPOUT : dropoutConstants(p, 11, 1);
      const slots = StepSlots.create(gpu.device, Array.from({ length: 4 }, () => ({ row0: 0, rows })));
      slots.setEpoch(gpu.device.queue, 2);
      const kernel = await dropoutKernel.create(gpu, { N }, { rows, constants: { ...mask } });
      const out = zeros(gpu, rows * N);
      const group = kernel.bind({ x: upload(gpu, x), out });
      await runPass(gpu, (pass) => kernel.encode(pass, group, slots.groups[3]));
      const got = await readFloats(gpu, out, rows * N);
      const want = dropout(mask, { epoch: 2, index: 3 }, x, rows, N);
      expect(got).toEqual(want);
      if (rows * N > 10000) {
        const kept = want.filter((v) => v !== 0).length / want.length;
        expect(Math.abs(kept - (1 - p))).toBeLessThan(0.01); // 65,792 draws: sd <= 0.002
      }
    });
  }
  it('layers and seeds draw independent masks', () => {
    const x = new Float32Array(10000).fill(1);
    const a = dropout(dropoutConstants(0.5, 1, 0), { epoch: 0, index: 0 }, x, 100, 100);
    const b = dropout(dropoutConstants(0.5, 1, 1), { epoch: 0, index: 0 }, x, 100, 100);
    const c = dropout(dropoutConstants(0.5, 2, 0), { epoch: 0, index: 0 }, x, 100, 100);
    const agree = (u: Float32Array, v: Float32Array) => u.filter((e, i) => e === v[i]).length / u.length;
    expect(agree(a, b)).toBeLessThan(0.55);
    expect(agree(a, c)).toBeLessThan(0.55);
  });
});
