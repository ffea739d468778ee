import { describe, expect, it } from 'vitest';
import { createSgdDecayUniform, sgdWeightDecay as kernelDef } from '../../src/kernels/sgd_weight_decay.js';
import { sgdWeightDecay } from '../../src/reference/sgd_weight_decay.js';
import { Rng } from '../../src/random.js';
import { expectClose, inPage, randomFloats, readFloats, runPass, testGpu, upload } from './harness.js';

// Tolerance: the GPU may fuse p - lr * (g + wd * p) into FMAs where the CPU twin rounds each product: a few ulp
// of lr * g (|lr * g| < 0.03, ulp <= 1.9e-9) plus 1 ulp of the result.
describe('sgd_weight_decay: param -= lr * (grad + wd * param)', () => {
  for (const count of [1, 10, 200704, 200705]) for (const wd of inPage([0, 0.01, 3], [0.01])) {
    it(`${count} parameters, weight decay ${wd}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(count + wd * 100);
      const param = randomFloats(rng, count, 0.01);
      const grad = randomFloats(rng, count, 0.05);
      const lr = 0.1;
      const kernel = await kernelDef.create(gpu, { COUNT: count });
      const p = upload(gpu, param);
      const group = kernel.bind({ sgd: createSgdDecayUniform(gpu.device, 'sgd', lr, wd), param: p, grad: upload(gpu, grad) });
      await runPass(gpu, (pass) => kernel.encode(pass, group));
      const want = param.slice();
      sgdWeightDecay(want, grad, lr, wd);
      // The kernel works a vec4 at a time over the buffer's zero padding (gpu/buffers.ts), which must stay zero.
      const all = await readFloats(gpu, p, p.size / 4);
      expectClose(all.subarray(0, count), want, { abs: 6e-9, rel: 2 ** -22 }, 'param');
      expect([...all.subarray(count)]).toEqual(new Array(p.size / 4 - count).fill(0));
    });
  }
});
