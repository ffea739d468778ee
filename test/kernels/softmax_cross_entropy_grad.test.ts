import { describe, it } from 'vitest';
import { softmaxCrossEntropyGrad as gradKernel } from '../../src/kernels/softmax_cross_entropy_grad.js';
import { softmax } from '../../src/reference/softmax.js';
import { softmaxCrossEntropyGrad } from '../../src/reference/softmax_cross_entropy_grad.js';
import { Rng } from '../../src/random.js';
import { CLASSES, expectClose, oneStep, randomFloats, randomLabels, readFloats, ROWS, runPass, testGpu, upload, zeros } from './harness.js';

// Tolerance: one subtraction and one division by rows per element (WGSL division: 2.5 ulp): 2e-7 / rows abs.
describe('softmax_cross_entropy_grad: dlogits = (probs - onehot(y)) / rows', () => {
  for (const classes of CLASSES) {
    for (const rows of ROWS) {
      it(`rows ${rows}, classes ${classes}`, async () => {
        const gpu = await testGpu();
        const rng = new Rng(rows * 13 + classes);
        const probs = softmax(randomFloats(rng, rows * classes, 2), rows, classes);
        const y = randomLabels(rng, rows, classes);
        const kernel = await gradKernel.create(gpu, { N: classes }, { rows });
        const dlogits = zeros(gpu, rows * classes);
        const group = kernel.bind({ probs: upload(gpu, probs), y: upload(gpu, y), dlogits });
        await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
        expectClose(await readFloats(gpu, dlogits, rows * classes), softmaxCrossEntropyGrad(probs, y, rows, classes), { abs: 2e-7 / rows, rel: 1e-6 }, 'dlogits');
      });
    }
  }
});
