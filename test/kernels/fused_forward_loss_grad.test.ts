import { describe, expect, it } from 'vitest';
import { FUSED_MAX_ROWS, FUSED_UNIFORM_BYTES, fusedForwardLossGrad as fusedKernel } from '../../src/kernels/fused_forward_loss_grad.js';
import { fusedForwardLossGrad } from '../../src/reference/fused_forward_loss_grad.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomFloats, randomPixels, readFloats, readUints, ROWS, runPass, testGpu, upload, uploadUniform, zeros } from './harness.js';

// Tolerance: as matmul_bias (f32 sums over 784 pixels, here of bytes then / 255) followed by the loss
// kernels: 2e-5 abs on the loss, 1e-6 / rows abs on dlogits (plus 1e-5 rel). Hits may differ only where
// the top two logits are within rounding of each other; with random W that never happens at these sizes,
// so hits must match exactly.
// Rows per invocation: 1, the GPU's 2 and lavapipe's (and the shader's most) 8, so that every row of a step
// is covered once whatever the remainder.
describe('fused_forward_loss_grad: gather + x·W + b + softmax + loss + dlogits + argmax in one kernel', () => {
  for (const perInvocation of [1, 2, FUSED_MAX_ROWS])
  for (const stable of [true, false]) {
    for (const rows of ROWS) {
      it(`${perInvocation} row(s) per invocation, rows ${rows}, ${stable ? 'log-sum-exp' : 'clamped -log p'} loss`, async () => {
        const gpu = await testGpu();
        const rng = new Rng(rows + (stable ? 1 : 0));
        const features = 784;
        const classes = 10;
        const count = 300;
        const row0 = 21;
        const images = randomPixels(rng, count * features).map((p, i) => (i % 7 < 3 ? 0 : p)); // with blank words
        const labels = Uint32Array.from({ length: count }, () => rng.int(classes));
        const order = rng.permutation(count);
        const w = randomFloats(rng, features * classes, 0.05);
        const b = randomFloats(rng, classes, 0.1);
        const kernel = await fusedKernel.create(gpu, { K: features }, { rows, workgroup: 16, constants: { STABLE_LOSS: stable ? 1 : 0, ROWS: perInvocation } });
        const dlogits = zeros(gpu, rows * classes);
        const sampleLoss = zeros(gpu, count);
        const sampleHit = zeros(gpu, count);
        const group = kernel.bind({
          images: upload(gpu, images), labels: upload(gpu, labels), order: upload(gpu, order), w: uploadUniform(gpu, w, FUSED_UNIFORM_BYTES), b: upload(gpu, b),
          dlogits, sample_loss: sampleLoss, sample_hit: sampleHit,
        });
        await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows, row0)));
        const want = fusedForwardLossGrad(images, labels, order, w, b, row0, rows, features, classes, stable);
        expectClose(await readFloats(gpu, dlogits, rows * classes), want.dlogits, { abs: 1e-6 / rows, rel: 1e-5 }, 'dlogits');
        const loss = await readFloats(gpu, sampleLoss, count);
        expectClose(loss.subarray(row0, row0 + rows), want.loss, { abs: 2e-5, rel: 1e-5 }, 'sample_loss');
        const hit = await readUints(gpu, sampleHit, count);
        expect(Array.from(hit.subarray(row0, row0 + rows))).toEqual(Array.from(want.hit));
        // Positions outside the step are untouched.
        expect(loss[row0 - 1]).toBe(0);
      });
    }
  }

  it('refuses more rows per invocation than the shader holds, before making a pipeline', async () => {
    const gpu = await testGpu();
    // (.then rather than expect().rejects: this suite also runs in the page, whose expect has no .rejects)
    const refusal = (rows: number) => fusedKernel.create(gpu, { K: 784 }, { constants: { ROWS: rows } }).then(() => 'created', (e: Error) => e.message);
    expect(await refusal(FUSED_MAX_ROWS + 1)).toBe(`fused_forward_loss_grad: ROWS must be 1 to ${FUSED_MAX_ROWS} rows per invocation, not ${FUSED_MAX_ROWS + 1}`);
    expect(await refusal(0)).toBe(`fused_forward_loss_grad: ROWS must be 1 to ${FUSED_MAX_ROWS} rows per invocation, not 0`);
  });
});
