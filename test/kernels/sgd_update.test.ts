import { describe, expect, it } from 'vitest';
import { createSgdUniform, sgdUpdate as sgdKernel } from '../../src/kernels/sgd_update.js';
import { sgdUpdate } from '../../src/reference/sgd_update.js';
import { Rng } from '../../src/random.js';
import { expectClose, randomFloats, readFloats, runPass, testGpu, upload } from './harness.js';

// Tolerance: p - lr * g may be fused into one FMA on the GPU and not on the CPU, so the rounding of lr * g
// differs: 1 ulp of lr * g (|lr * g| < 0.03 here, ulp <= 1.9e-9) plus 1 ulp of the result.
describe('sgd_update: param -= lr * grad', () => {
  for (const count of [1, 10, 7840, 7841]) {
    it(`${count} parameters`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(count);
      const param = randomFloats(rng, count, 0.01);
      const grad = randomFloats(rng, count, 0.05);
      const lr = 0.1;
      const kernel = await sgdKernel.create(gpu, { COUNT: count });
      const p = upload(gpu, param);
      const group = kernel.bind({ sgd: createSgdUniform(gpu.device, 'sgd', lr), param: p, grad: upload(gpu, grad) });
      await runPass(gpu, (pass) => kernel.encode(pass, group));
      const want = param.slice();
      sgdUpdate(want, grad, lr);
      // The kernel works a vec4 at a time over the buffer's zero padding (gpu/buffers.ts), which must stay zero.
      const all = await readFloats(gpu, p, p.size / 4);
      expectClose(all.subarray(0, count), want, { abs: 2e-9, rel: 2 ** -23 }, 'param');
      expect([...all.subarray(count)]).toEqual(new Array(p.size / 4 - count).fill(0));
    });
  }
});
