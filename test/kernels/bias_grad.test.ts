import { describe, it } from 'vitest';
import { biasGrad as biasGradKernel, biasGradPlanes } from '../../src/kernels/bias_grad.js';
import { biasGrad, biasGradPlanes as biasGradPlanesTwin } from '../../src/reference/bias_grad.js';
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

// Tolerance: sums of up to rows·P = 5·49 values ~ N(0, 1): 1e-5 abs + 1e-6 rel.
describe("bias_grad planes: db[n] = a convolution's dy summed over rows and plane n", () => {
  for (const [rows, maxRows, channels, plane] of [[1, 1, 4, 1], [3, 5, 7, 49], [5, 5, 12, 9]]) {
    it(`rows ${rows} of ${maxRows}, ${channels} channels of ${plane} pixels`, async () => {
      const gpu = await testGpu();
      const dy = randomFloats(new Rng(channels * plane + rows), maxRows * channels * plane);
      const kernel = await biasGradPlanes.create(gpu, { N: channels, P: plane }, { rows: maxRows, workgroup: 16 });
      const db = zeros(gpu, channels);
      const group = kernel.bind({ dlogits: upload(gpu, dy), db });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
      expectClose(await readFloats(gpu, db, channels), biasGradPlanesTwin(dy, rows, channels, plane), { abs: 1e-5, rel: 1e-6 }, 'db');
    });
  }
});
