import { describe, expect, it } from 'vitest';
import { argmaxAccuracy as argmaxKernel } from '../../src/kernels/argmax_accuracy.js';
import { argmaxAccuracy } from '../../src/reference/argmax_accuracy.js';
import { Rng } from '../../src/random.js';
import { CLASSES, oneStep, randomFloats, randomLabels, readUints, ROWS, runPass, testGpu, upload } from './harness.js';

async function gpuArgmax(logits: Float32Array, y: Uint32Array, rows: number, classes: number, initialCorrect: number) {
  const gpu = await testGpu();
  const kernel = await argmaxKernel.create(gpu, { N: classes }, { rows });
  const predictions = upload(gpu, new Uint32Array(rows));
  const correct = upload(gpu, Uint32Array.of(initialCorrect));
  const group = kernel.bind({ logits: upload(gpu, logits), y: upload(gpu, y), predictions, correct });
  await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
  return { predictions: await readUints(gpu, predictions, rows), correct: (await readUints(gpu, correct, 1))[0] };
}

// Exact: comparisons only, no rounding anywhere.
describe('argmax_accuracy: predictions and a running count of correct ones', () => {
  for (const classes of CLASSES) {
    for (const rows of ROWS) {
      it(`rows ${rows}, classes ${classes}`, async () => {
        const rng = new Rng(rows * 11 + classes);
        const logits = randomFloats(rng, rows * classes, 1);
        // Make about half the labels right so the count is not trivially 0 or rows.
        const want0 = argmaxAccuracy(logits, new Uint32Array(rows), rows, classes).predictions;
        const y = randomLabels(rng, rows, classes).map((v, i) => (i % 2 === 0 ? want0[i] : v));
        const got = await gpuArgmax(logits, y, rows, classes, 5);
        const want = argmaxAccuracy(logits, y, rows, classes);
        expect(Array.from(got.predictions)).toEqual(Array.from(want.predictions));
        expect(got.correct).toBe(5 + want.correct);
      });
    }
  }

  it('takes the first of tied maxima, like torch.argmax', async () => {
    const got = await gpuArgmax(Float32Array.from([1, 3, 3, 2, 2, 2, -1e4, 1e4, 1e4]), Uint32Array.from([1, 0, 1]), 3, 3, 0);
    expect(Array.from(got.predictions)).toEqual([1, 0, 1]);
    expect(got.correct).toBe(3);
  });
});
