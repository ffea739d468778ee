import { describe, expect, it } from 'vitest';
import { optimizerStepCount as counterKernel } from '../../src/kernels/optimizer_step_count.js';
import { optimizerStepCount } from '../../src/reference/optimizer_step_count.js';
import { readFloats, runPass, testGpu, upload } from './harness.js';

describe('optimizer_step_count: t += 1 on the GPU', () => {
  it('counts steps recorded in one pass and across submits, from a restored count', async () => {
    const gpu = await testGpu();
    const kernel = await counterKernel.create(gpu, {});
    const t = upload(gpu, Float32Array.of(41)); // a resumed run's count
    const group = kernel.bind({ step_count: t });
    let want = 41;
    for (const steps of [1, 3]) {
      await runPass(gpu, (pass) => {
        for (let i = 0; i < steps; i++) kernel.encode(pass, group);
      });
      for (let i = 0; i < steps; i++) want = optimizerStepCount(want);
    }
    expect([...(await readFloats(gpu, t, 1))]).toEqual([want]);
    expect(want).toBe(45);
  });
});
