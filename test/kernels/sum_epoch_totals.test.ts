import { describe, expect, it } from 'vitest';
import { sumEpochTotals as totalsKernel } from '../../src/kernels/sum_epoch_totals.js';
import { sumEpochTotals } from '../../src/reference/sum_epoch_totals.js';
import { Rng } from '../../src/random.js';
import { expectClose, readFloats, readUints, runPass, testGpu, upload, zeros } from './harness.js';

// Tolerance: a tree sum of up to 60,000 f32 losses (~0.5 each) has relative error ~ log2(n) * 2^-24: 1e-6 rel.
// Hit counts are integers: exact.
describe('sum_epoch_totals: loss sum and hit count over an epoch', () => {
  for (const samples of [1, 255, 257, 60000]) {
    it(`${samples} samples`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(samples);
      const loss = Float32Array.from({ length: samples }, () => rng.uniform() * 2);
      const hit = Uint32Array.from({ length: samples }, () => rng.int(2));
      const kernel = await totalsKernel.create(gpu, { SAMPLES: samples });
      const lossSum = upload(gpu, Float32Array.of(123)); // overwritten, not added to
      const correct = zeros(gpu, 1);
      const group = kernel.bind({ sample_loss: upload(gpu, loss), sample_hit: upload(gpu, hit), loss_sum: lossSum, correct });
      await runPass(gpu, (pass) => kernel.encode(pass, group));
      const want = sumEpochTotals(loss, hit, samples);
      expectClose(await readFloats(gpu, lossSum, 1), [want.lossSum], { abs: 0, rel: 1e-6 }, 'loss_sum');
      expect((await readUints(gpu, correct, 1))[0]).toBe(want.correct);
    });
  }
});
