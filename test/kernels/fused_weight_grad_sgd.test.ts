import { describe, it } from 'vitest';
import { FUSED_UNIFORM_BYTES } from '../../src/kernels/fused_forward_loss_grad.js';
import { fusedWeightGradSgd as fusedKernel } from '../../src/kernels/fused_weight_grad_sgd.js';
import { createSgdUniform } from '../../src/kernels/optimizer.js';
import { fusedWeightGradSgd } from '../../src/reference/fused_weight_grad_sgd.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomFloats, randomPixels, readFloats, ROWS, runPass, testGpu, upload, uploadUniform } from './harness.js';

// Tolerance: W moves by lr * dW with |dW| <~ 1 summed in f32 over <= 257 rows (as weight_grad: 2e-6 abs),
// times lr = 0.1, on top of W ~ 0.05: 1e-6 abs + 1e-6 rel.
// 784 pixels and 776 (8-pixel groups, but not 16: the forward kernel's unit).
describe('fused_weight_grad_sgd: dW, db and the SGD update in one kernel', () => {
  for (const features of [784, 776])
  for (const rows of ROWS) {
    it(`${features} features, rows ${rows}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 9 + features);
      const classes = 10;
      const count = 300;
      const row0 = 17;
      const lr = 0.1;
      const images = randomPixels(rng, count * features);
      const order = rng.permutation(count);
      const dl = randomFloats(rng, rows * classes, 1 / rows);
      const w = randomFloats(rng, features * classes, 0.05);
      const b = randomFloats(rng, classes, 0.1);
      const kernel = await fusedKernel.create(gpu, { K: features }, { rows, workgroup: 8 });
      const wBuf = upload(gpu, w);
      const bBuf = upload(gpu, b);
      const group = kernel.bind({ images: upload(gpu, images), order: upload(gpu, order), dlogits: uploadUniform(gpu, dl, FUSED_UNIFORM_BYTES), w: wBuf, b: bBuf, sgd: createSgdUniform(gpu.device, 'sgd', lr) });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows, row0)));
      const wantW = w.slice();
      const wantB = b.slice();
      fusedWeightGradSgd(images, order, dl, wantW, wantB, row0, rows, features, classes, lr);
      expectClose(await readFloats(gpu, wBuf, features * classes), wantW, { abs: 1e-6, rel: 1e-6 }, 'W');
      expectClose(await readFloats(gpu, bBuf, classes), wantB, { abs: 1e-6, rel: 1e-6 }, 'b');
    });
  }
});
