import { describe, it } from 'vitest';
import { biasGrad as biasGradKernel } from '../../src/kernels/bias_grad.js';
import { biasGrad } from '../../src/reference/bias_grad.js';
import { Rng } from '../../src/random.js';
import { CLASSES, expectClose, oneStep, randomFloats, readFloats, ROWS, runPass, testGpu, upload, zeros } from './harness.js';

// Tolerance: a sum of <= 257 values ~ 1/rows in f32: 1e-6 abs.
describe('bias_grad: db = column sums of dlogits', () => {
  for (const classes of CLASSES) {
    for (const rows of ROWS) {
      it(`rows ${rows}, classes ${classes}`, async () => {
        const gpu = await testGpu();
        const rng = new Rng(rows * 5 + classes);
        const dl = randomFloats(rng, rows * classes, 1 / rows);
        const kernel = await biasGradKernel.create(gpu, { N: classes }, { rows });
        const db = zeros(gpu, classes);
        const group = kernel.bind({ dlogits: upload(gpu, dl), db });
        await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
        expectClose(await readFloats(gpu, db, classes), biasGrad(dl, rows, classes), { abs: 1e-6 }, 'db');
      });
    }
  }
});
