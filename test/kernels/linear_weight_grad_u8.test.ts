import { describe, it } from 'vitest';
import { expect } from 'vitest';
import { createLinearWeightGradU8 } from '../../src/kernels/linear.js';
import { linearWeightGradU8Subgroup } from '../../src/kernels/linear_subgroup.js';
import { linearWeightGradU8 as kernelDef } from '../../src/kernels/linear_weight_grad_u8.js';
import { linearWeightGradU8 } from '../../src/reference/linear_weight_grad_u8.js';
import { Rng } from '../../src/random.js';
import { expectClose, IN_PAGE, inPage, oneStep, randomFloats, randomPixels, readFloats, runPass, subgroupSupport, testGpu, upload, zeros, refusal } from './harness.js';

// The subgroup kernels' tests are skipped, and say why, where the adapter has no fixed subgroup size.
const subgroups = await subgroupSupport();

// K: 784 and 12 (pixels are packed 4 per word). Tolerance as linear_weight_grad: bytes x dy summed over <= 257
// rows in f32, divided by 255 once: |dW| <= ~1, error < 1e-6; 2e-6 abs + 1e-5 rel.
const TOL = { abs: 2e-6, rel: 1e-5 };

describe('linear_weight_grad_u8: dW = (images[order] / 255)ᵀ · dy', () => {
  const cases: Array<[number, number, number, Record<string, number>]> = [];
  for (const K of [784, 12]) for (const N of inPage([10, 256, 3], [10, 3])) for (const rows of inPage([1, 7, 255, 257], [7, 257])) cases.push([rows, K, N, {}]);
  if (!IN_PAGE) cases.push([257, 784, 10, { TW: 3, TC: 5 }], [255, 12, 256, { TW: 4, TC: 2 }], [7, 784, 3, { TW: 1, TC: 1 }]);
  for (const [rows, K, N, constants] of cases) {
    it(`rows ${rows}, K ${K}, N ${N}${Object.keys(constants).length ? `, tile ${constants.TW} words x ${constants.TC}` : ''}, from position 3 of a shuffle`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 13 + K + N);
      const count = rows + 4;
      const images = randomPixels(rng, count * K);
      const order = rng.permutation(count);
      const dy = randomFloats(rng, rows * N, 1 / rows);
      const kernel = await kernelDef.create(gpu, { K, N }, { rows, constants });
      const dw = zeros(gpu, K * N);
      const group = kernel.bind({ images: upload(gpu, images), order: upload(gpu, order), dy: upload(gpu, dy), dw });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows, 3)));
      expectClose(await readFloats(gpu, dw, K * N), linearWeightGradU8(images, order, 3, rows, dy, K, N), TOL, 'dW');
    });
  }
});

describe.skipIf(subgroups.missing)('linear_weight_grad_u8_subgroup: the subgroup fast path (K a multiple of 16, N of 4) against the same twin', () => {
  // K 48: 3 chunks of 16 pixels, no multiple of the 2 chunks per workgroup (the last workgroup's second is past K).
  const cases: Array<[number, number]> = inPage([[784, 256], [16, 20], [784, 20], [48, 256]], [[16, 20], [784, 20]]);
  for (const [K, N] of cases) for (const rows of inPage([1, 7, 257], [257])) {
    it(`rows ${rows}, K ${K}, N ${N}, from position 3 of a shuffle`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 31 + K + N);
      const count = rows + 4;
      const images = randomPixels(rng, count * K);
      const order = rng.permutation(count);
      const dy = randomFloats(rng, rows * N, 1 / rows);
      const kernel = await createLinearWeightGradU8(gpu, { K, N }, rows, 'subgroup');
      expect(kernel.kernel.name).toBe('linear_weight_grad_u8_subgroup');
      const dw = zeros(gpu, K * N);
      const group = kernel.bind({ images: upload(gpu, images), order: upload(gpu, order), dy: upload(gpu, dy), dw });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows, 3)));
      expectClose(await readFloats(gpu, dw, K * N), linearWeightGradU8(images, order, 3, rows, dy, K, N), TOL, 'dW');
    });
  }
});

describe('linear_weight_grad_u8: the variant for K no multiple of 16', () => {
  it.skipIf(subgroups.missing)('auto takes the generic kernel, subgroup is refused with the reason', async () => {
    const gpu = await testGpu();
    expect((await createLinearWeightGradU8(gpu, { K: 12, N: 20 }, 7)).kernel.name).toBe('linear_weight_grad_u8');
    expect(await refusal(() => createLinearWeightGradU8(gpu, { K: 12, N: 20 }, 7, 'subgroup'))).toMatch(/no subgroup path for K 12, N 20/);
  });
  it('the subgroup kernel itself refuses K 12 with the reason', async () => {
    const gpu = await testGpu();
    expect(await refusal(() => linearWeightGradU8Subgroup.create(gpu, { K: 12, N: 20 }, { rows: 7, workgroup: 8, constants: { SG: 8 } }))).toMatch(/K must be a multiple of 16 \(read 16 packed pixels at a time\), not 12/);
  });
});
