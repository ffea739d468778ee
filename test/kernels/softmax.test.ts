import { describe, expect, it } from 'vitest';
import { softmax as softmaxKernel } from '../../src/kernels/softmax.js';
import { softmax } from '../../src/reference/softmax.js';
import { Rng } from '../../src/random.js';
import { CLASSES, expectClose, oneStep, randomFloats, readFloats, ROWS, runPass, testGpu, upload, zeros } from './harness.js';

async function gpuSoftmax(logits: Float32Array, rows: number, classes: number): Promise<Float32Array> {
  const gpu = await testGpu();
  const kernel = await softmaxKernel.create(gpu, { N: classes }, { rows });
  const probs = zeros(gpu, rows * classes);
  const group = kernel.bind({ logits: upload(gpu, logits), probs });
  await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
  return readFloats(gpu, probs, rows * classes);
}

// Tolerance: probabilities are in [0, 1]; exp in WGSL is accurate to 3 + 2 * |x| ulp and the sum has at most
// 17 terms, so 2e-6 absolute covers logits of spread ~10 (std 3 here) with room.
describe('softmax: row-wise, numerically stable', () => {
  for (const classes of CLASSES) {
    for (const rows of ROWS) {
      it(`rows ${rows}, classes ${classes}`, async () => {
        const rng = new Rng(rows * 31 + classes);
        const logits = randomFloats(rng, rows * classes, 3);
        expectClose(await gpuSoftmax(logits, rows, classes), softmax(logits, rows, classes), { abs: 2e-6 }, 'probs');
      });
    }
  }

  // Extreme logits: exp(1e4) overflows f32, so only the max-subtracted form gives finite, exact answers here.
  it('stays finite and exact for ±1e4 and all-equal logits', async () => {
    const classes = 3;
    const logits = Float32Array.from([
      1e4, -1e4, 0, // one dominant: [1, 0, 0]
      1e4, 1e4, -1e4, // two tied at the top: [0.5, 0.5, 0]
      -1e4, -1e4, -1e4, // all equal and very negative: 1/3 each
      7, 7, 7, // all equal: 1/3 each
    ]);
    const probs = await gpuSoftmax(logits, 4, classes);
    expect(Array.from(probs).every(Number.isFinite)).toBe(true);
    expect(Array.from(probs.subarray(0, 6))).toEqual([1, 0, 0, 0.5, 0.5, 0]);
    expectClose(probs.subarray(6), new Float32Array(6).fill(1 / 3), { abs: 0, rel: 2 ** -23 }, 'uniform rows');
  });
});
