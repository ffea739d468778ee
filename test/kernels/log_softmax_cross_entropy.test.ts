import { describe, expect, it } from 'vitest';
import { logSoftmaxCrossEntropy as fusedKernel } from '../../src/kernels/log_softmax_cross_entropy.js';
import { logSoftmaxCrossEntropy } from '../../src/reference/log_softmax_cross_entropy.js';
import { Rng } from '../../src/random.js';
import { CLASSES, expectClose, oneStep, randomFloats, randomLabels, readFloats, ROWS, runPass, testGpu, upload, zeros } from './harness.js';

async function gpuFused(logits: Float32Array, y: Uint32Array, rows: number, classes: number, writeGrad = true, batch = rows) {
  const gpu = await testGpu();
  const kernel = await fusedKernel.create(gpu, { N: classes }, { rows, constants: { WRITE_GRAD: writeGrad ? 1 : 0 } });
  const loss = zeros(gpu, rows);
  const lossSum = upload(gpu, Float32Array.of(2));
  const dlogits = upload(gpu, new Float32Array(rows * classes).fill(-7));
  const group = kernel.bind({ logits: upload(gpu, logits), y: upload(gpu, y), loss, loss_sum: lossSum, dlogits });
  await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows, 0, batch)));
  return {
    loss: await readFloats(gpu, loss, rows),
    sum: (await readFloats(gpu, lossSum, 1))[0],
    dlogits: await readFloats(gpu, dlogits, rows * classes),
  };
}

// Tolerance: loss = lse - z[y] with |z| ~ 6: a few ulp of 6 plus log/exp error: 5e-6 abs. dlogits as in
// softmax_cross_entropy_grad, plus exp(z - lse) error: 1e-6 / rows abs. Sum over <= 257 samples: 1e-5 rel.
describe('log_softmax_cross_entropy: fused stable loss and its gradient on logits', () => {
  for (const classes of CLASSES) {
    for (const rows of ROWS) {
      it(`rows ${rows}, classes ${classes}`, async () => {
        const rng = new Rng(rows * 17 + classes);
        const logits = randomFloats(rng, rows * classes, 3);
        const y = randomLabels(rng, rows, classes);
        const got = await gpuFused(logits, y, rows, classes);
        const want = logSoftmaxCrossEntropy(logits, y, rows, classes);
        expectClose(got.loss, want.loss, { abs: 5e-6, rel: 1e-6 }, 'loss');
        expectClose([got.sum], [2 + want.sum], { abs: 1e-5, rel: 1e-5 }, 'loss_sum');
        expectClose(got.dlogits, want.dlogits, { abs: 1e-6 / rows, rel: 1e-6 }, 'dlogits');
      });
    }
  }

  it('is finite and exact for ±1e4 and all-equal logits', async () => {
    const logits = Float32Array.from([1e4, -1e4, 0, 1e4, -1e4, 0, 5, 5, 5, -1e4, -1e4, -1e4]);
    const y = Uint32Array.from([0, 1, 2, 1]);
    const got = await gpuFused(logits, y, 4, 3);
    // Right with certainty: 0. Wrong by 2e4: exactly 2e4 (the ulp of 2e4 in f32 is 2^-9, log terms vanish).
    expect(Array.from(got.loss.subarray(0, 2))).toEqual([0, 2e4]);
    expectClose(got.loss.subarray(2, 3), [Math.log(3)], { abs: 0, rel: 4 * 2 ** -24 }, 'uniform row');
    // At -1e4, lse = -1e4 + log(3) is rounded to f32, whose spacing there is 2^-10: within half of that.
    expectClose(got.loss.subarray(3, 4), [Math.log(3)], { abs: 2 ** -11 }, 'uniform row at -1e4');
    expect(Array.from(got.dlogits).every(Number.isFinite)).toBe(true);
    expectClose(got.dlogits.subarray(0, 6), [0, 0, 0, 0.25, -0.25, 0], { abs: 1e-9 }, 'saturated dlogits');
  });

  it("divides dlogits by the whole minibatch's rows where the step is one chunk of it", async () => {
    const rng = new Rng(11);
    const [rows, classes, batch] = [7, 10, 24];
    const logits = randomFloats(rng, rows * classes, 3);
    const y = randomLabels(rng, rows, classes);
    const got = await gpuFused(logits, y, rows, classes, true, batch);
    const want = logSoftmaxCrossEntropy(logits, y, rows, classes, batch);
    expectClose(got.loss, want.loss, { abs: 5e-6, rel: 1e-6 }, 'loss');
    expectClose(got.dlogits, want.dlogits, { abs: 1e-6 / batch, rel: 1e-6 }, 'dlogits');
    // The twin's batch is no default: the unchunked gradient is batch / rows times larger.
    const whole = logSoftmaxCrossEntropy(logits, y, rows, classes);
    expectClose(want.dlogits.map((v) => (v * batch) / rows), whole.dlogits, { abs: 1e-7, rel: 1e-6 }, 'scale');
  });

  it('leaves dlogits alone when built with WRITE_GRAD = 0 (evaluation)', async () => {
    const rng = new Rng(5);
    const got = await gpuFused(randomFloats(rng, 30, 1), randomLabels(rng, 10, 3), 10, 3, false);
    expect(Array.from(got.dlogits).every((v) => v === -7)).toBe(true);
    expect(got.sum).toBeGreaterThan(2);
  });
});
