import { describe, expect, it } from 'vitest';
import { gatherResize as resizeKernel } from '../../src/kernels/gather_resize.js';
import { gatherResize } from '../../src/reference/gather_resize.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomPixels, readFloats, readUints, refusal, runPass, testGpu, upload, zeros } from './harness.js';

/** [c, h, w, ho, wo]: the book's sizes from 28 px (224, 96), an odd upscale, a downscale, and non-square shapes. */
const SHAPES: Array<[number, number, number, number, number]> = [
  [1, 28, 28, 224, 224],
  [1, 28, 28, 96, 96],
  [1, 28, 28, 33, 33],
  [1, 28, 28, 9, 9],
  [2, 6, 10, 13, 5],
];

// Tolerance: the GPU computes the source index in f32 where the twin (as PyTorch) does in f64: its weights differ by
// up to half an f32 ulp of an index below 32 (~1e-6), times a pixel difference of at most 1; then f32 rounding of
// the interpolation: 2e-6 absolute. Labels exactly.
describe('gather_resize: x = bilinear resize (align_corners=False) of images[order[row0 + r]] / 255', () => {
  for (const [c, h, w, ho, wo] of SHAPES) {
    for (const rows of [1, 7, 257]) {
      if (ho * wo > 10000 && rows > 7) continue; // 257 rows of 224x224: 13 M values, slow on a loaded CPU adapter
      it(`${rows} rows, ${c}x${h}x${w} -> ${c}x${ho}x${wo}, from position 13 of a shuffled order`, async () => {
        const gpu = await testGpu();
        const rng = new Rng(rows + ho);
        const count = 300;
        const features = c * h * w;
        const images = randomPixels(rng, count * features);
        const labels = Uint32Array.from({ length: count }, () => rng.int(10));
        const order = rng.permutation(count);
        const row0 = 13;
        const kernel = await resizeKernel.create(gpu, { C: c, H: h, W: w, HO: ho, WO: wo }, { rows });
        const x = zeros(gpu, rows * c * ho * wo);
        const y = zeros(gpu, rows);
        const group = kernel.bind({ images: upload(gpu, images), labels: upload(gpu, labels), order: upload(gpu, order), x, y });
        await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows, row0)));
        const expected = gatherResize(images, labels, order, row0, rows, { c, h, w, ho, wo });
        expectClose(await readFloats(gpu, x, rows * c * ho * wo), expected.x, { abs: 2e-6 }, 'x');
        expect(Array.from(await readUints(gpu, y, rows))).toEqual(Array.from(expected.y));
      });
    }
  }

  it('refuses images whose pixels do not pack into whole words', async () => {
    const gpu = await testGpu();
    expect(await refusal(() => resizeKernel.create(gpu, { C: 1, H: 5, W: 5, HO: 8, WO: 8 }))).toMatch(/C·H·W must be a multiple of 4 \(pixels are packed 4 per word\), not 25/);
  });
});

// The twin against PyTorch itself: test/reference/gather_resize.test.ts (Node only: this file also runs in the page).
