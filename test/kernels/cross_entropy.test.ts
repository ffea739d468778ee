import { describe, expect, it } from 'vitest';
import { crossEntropy as crossEntropyKernel } from '../../src/kernels/cross_entropy.js';
import { crossEntropy, MIN_PROBABILITY } from '../../src/reference/cross_entropy.js';
import { softmax } from '../../src/reference/softmax.js';
import { Rng } from '../../src/random.js';
import { CLASSES, expectClose, oneStep, randomFloats, randomLabels, readFloats, ROWS, runPass, testGpu, upload, zeros } from './harness.js';

async function gpuCrossEntropy(probs: Float32Array, y: Uint32Array, rows: number, classes: number, initialSum: number) {
  const gpu = await testGpu();
  const kernel = await crossEntropyKernel.create(gpu, { N: classes }, { rows });
  const loss = zeros(gpu, rows);
  const lossSum = upload(gpu, Float32Array.of(initialSum));
  const group = kernel.bind({ probs: upload(gpu, probs), y: upload(gpu, y), loss, loss_sum: lossSum });
  await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
  return { loss: await readFloats(gpu, loss, rows), sum: (await readFloats(gpu, lossSum, 1))[0] };
}

// Tolerance: WGSL's log is accurate to 2^-21 absolute near 1 and 3 ulp elsewhere: 1e-6 abs + 1e-6 rel per
// sample. The sum adds up to 257 such values in f32 in a tree: 1e-5 relative.
describe('cross_entropy: -log(probs[y]), per sample and summed into a running total', () => {
  for (const classes of CLASSES) {
    for (const rows of ROWS) {
      it(`rows ${rows}, classes ${classes}`, async () => {
        const rng = new Rng(rows * 7 + classes);
        const probs = softmax(randomFloats(rng, rows * classes, 2), rows, classes);
        const y = randomLabels(rng, rows, classes);
        const got = await gpuCrossEntropy(probs, y, rows, classes, 1.5);
        const want = crossEntropy(probs, y, rows, classes);
        expectClose(got.loss, want.loss, { abs: 1e-6, rel: 1e-6 }, 'loss');
        expectClose([got.sum], [1.5 + want.sum], { abs: 1e-5, rel: 1e-5 }, 'loss_sum');
      });
    }
  }

  it('is finite where the true class has probability 0 (clamped) and exactly 0 where it has 1', async () => {
    const probs = Float32Array.from([1, 0, 0, 0, 1, 0]);
    const y = Uint32Array.from([0, 0]);
    const got = await gpuCrossEntropy(probs, y, 2, 3, 0);
    expect(Math.abs(got.loss[0])).toBe(0); // -log(1) is -0 in IEEE arithmetic
    expect(Number.isFinite(got.loss[1])).toBe(true);
    expectClose(got.loss.subarray(1), [-Math.log(MIN_PROBABILITY)], { abs: 0, rel: 1e-6 }, 'clamped loss');
  });
});
