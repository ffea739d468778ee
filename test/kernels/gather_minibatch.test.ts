import { describe, expect, it } from 'vitest';
import { gatherMinibatch as gatherKernel } from '../../src/kernels/gather_minibatch.js';
import { gatherMinibatch } from '../../src/reference/gather_minibatch.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomPixels, readFloats, readUints, ROWS, runPass, testGpu, upload, zeros } from './harness.js';

// Tolerance: x = byte / 255. WGSL allows 2.5 ulp for f32 division, so allow 3 ulp (3 * 2^-24 relative).
// Labels are integers and must match exactly.
describe('gather_minibatch: x = images[order[row0 + r]] / 255', () => {
  for (const features of [784, 12]) {
    for (const rows of ROWS) {
      it(`rows ${rows}, features ${features}, from position 13 of a shuffled order`, async () => {
        const gpu = await testGpu();
        const rng = new Rng(rows + features);
        const count = 300;
        const images = randomPixels(rng, count * features);
        const labels = Uint32Array.from({ length: count }, () => rng.int(10));
        const order = rng.permutation(count);
        const row0 = 13;
        const kernel = await gatherKernel.create(gpu, { K: features }, { rows });
        const x = zeros(gpu, rows * features);
        const y = zeros(gpu, rows);
        const group = kernel.bind({ images: upload(gpu, images), labels: upload(gpu, labels), order: upload(gpu, order), x, y });
        await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows, row0)));
        const expected = gatherMinibatch(images, labels, order, row0, rows, features);
        expectClose(await readFloats(gpu, x, rows * features), expected.x, { abs: 0, rel: 3 * 2 ** -24 }, 'x');
        expect(Array.from(await readUints(gpu, y, rows))).toEqual(Array.from(expected.y));
      });
    }
  }
});
