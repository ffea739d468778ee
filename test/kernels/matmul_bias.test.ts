import { describe, it } from 'vitest';
import { matmulBias as matmulBiasKernel } from '../../src/kernels/matmul_bias.js';
import { matmulBias } from '../../src/reference/matmul_bias.js';
import { Rng } from '../../src/random.js';
import { CLASSES, expectClose, oneStep, randomFloats, readFloats, ROWS, runPass, testGpu, upload, zeros } from './harness.js';

// Tolerance: the GPU sums K products in f32, the reference in f64. Inputs are pixel-like x in [0, 1] and
// W ~ N(0, 0.1), so |logit| ~ 3 and f32 rounding over K = 784 terms stays below ~1e-5; 5e-5 abs + 1e-5 rel.
describe('matmul_bias: logits = x·W + b', () => {
  for (const features of [784, 37]) {
    for (const classes of CLASSES) {
      for (const rows of ROWS) {
        it(`rows ${rows}, features ${features}, classes ${classes}`, async () => {
          const gpu = await testGpu();
          const rng = new Rng(rows * 1000 + features + classes);
          const x = Float32Array.from({ length: rows * features }, () => rng.uniform());
          const w = randomFloats(rng, features * classes, 0.1);
          const b = randomFloats(rng, classes, 0.5);
          const kernel = await matmulBiasKernel.create(gpu, { K: features, N: classes }, { rows });
          const logits = zeros(gpu, rows * classes);
          const group = kernel.bind({ x: upload(gpu, x), w: upload(gpu, w), b: upload(gpu, b), logits });
          await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
          expectClose(await readFloats(gpu, logits, rows * classes), matmulBias(x, w, b, rows, features, classes), { abs: 5e-5, rel: 1e-5 }, 'logits');
        });
      }
    }
  }
});
