import { describe, it } from 'vitest';
import { weightGrad as weightGradKernel } from '../../src/kernels/weight_grad.js';
import { weightGrad } from '../../src/reference/weight_grad.js';
import { Rng } from '../../src/random.js';
import { CLASSES, expectClose, oneStep, randomFloats, readFloats, ROWS, runPass, testGpu, upload, zeros } from './harness.js';

// Tolerance: each dW element sums `rows` (<= 257) products of x in [0, 1] and dlogits ~ 1/rows in f32:
// |dW| <= ~1 and f32 accumulation error stays below 1e-6; 2e-6 abs + 1e-5 rel.
describe('weight_grad: dW = xᵀ · dlogits', () => {
  for (const features of [784, 37]) {
    for (const classes of CLASSES) {
      for (const rows of ROWS) {
        it(`rows ${rows}, features ${features}, classes ${classes}`, async () => {
          const gpu = await testGpu();
          const rng = new Rng(rows * 3 + features + classes);
          const x = Float32Array.from({ length: rows * features }, () => rng.uniform());
          const dl = randomFloats(rng, rows * classes, 1 / rows);
          const kernel = await weightGradKernel.create(gpu, { K: features, N: classes }, { rows });
          const dw = zeros(gpu, features * classes);
          const group = kernel.bind({ x: upload(gpu, x), dlogits: upload(gpu, dl), dw });
          await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
          expectClose(await readFloats(gpu, dw, features * classes), weightGrad(x, dl, rows, features, classes), { abs: 2e-6, rel: 1e-5 }, 'dW');
        });
      }
    }
  }
});
