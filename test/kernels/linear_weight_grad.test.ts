import { describe, it } from 'vitest';
import { expect } from 'vitest';
import { createLinearWeightGrad } from '../../src/kernels/linear.js';
import { linearWeightGrad as kernelDef } from '../../src/kernels/linear_weight_grad.js';
import { linearWeightGrad } from '../../src/reference/linear_weight_grad.js';
import { Rng } from '../../src/random.js';
import { expectClose, IN_PAGE, inPage, oneStep, randomFloats, readFloats, runPass, subgroupSupport, testGpu, upload, zeros } from './harness.js';

// The subgroup kernels' tests are skipped, and say why, where the adapter has no fixed subgroup size.
const subgroups = await subgroupSupport();

// Tolerance: each dW element sums `rows` (<= 257) products of x in [0, 1] and dy ~ 1/rows in f32:
// |dW| <= ~1 and f32 accumulation error stays below 1e-6; 2e-6 abs + 1e-5 rel (as weight_grad).
const TOL = { abs: 2e-6, rel: 1e-5 };

describe('linear_weight_grad: dW = xᵀ · dy, register-tiled', () => {
  const cases: Array<[number, number, number, Record<string, number>]> = [];
  for (const K of [784, 13]) for (const N of inPage([10, 256, 3], [10, 3])) for (const rows of inPage([1, 7, 255, 257], [7, 257])) cases.push([rows, K, N, {}]);
  if (!IN_PAGE) cases.push([257, 784, 10, { TK: 3, TC: 5 }], [255, 13, 256, { TK: 16, TC: 2 }], [7, 784, 3, { TK: 1, TC: 1 }]);
  for (const [rows, K, N, constants] of cases) {
    it(`rows ${rows}, K ${K}, N ${N}${Object.keys(constants).length ? `, tile ${constants.TK} x ${constants.TC}` : ''}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 5 + K + N);
      const x = Float32Array.from({ length: rows * K }, () => rng.uniform());
      const dy = randomFloats(rng, rows * N, 1 / rows);
      const kernel = await kernelDef.create(gpu, { K, N }, { rows, constants });
      const dw = zeros(gpu, K * N);
      const group = kernel.bind({ x: upload(gpu, x), dy: upload(gpu, dy), dw });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
      expectClose(await readFloats(gpu, dw, K * N), linearWeightGrad(x, dy, rows, K, N), TOL, 'dW');
    });
  }
});

describe.skipIf(subgroups.missing)('linear_weight_grad_subgroup: the subgroup fast path (K and N multiples of 4) against the same twin', () => {
  const cases: Array<[number, number]> = inPage([[784, 256], [12, 20], [784, 20], [12, 256]], [[12, 20], [784, 20]]);
  for (const [K, N] of cases) for (const rows of inPage([1, 7, 257], [257])) {
    it(`rows ${rows}, K ${K}, N ${N}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 29 + K + N);
      const x = Float32Array.from({ length: rows * K }, () => rng.uniform());
      const dy = randomFloats(rng, rows * N, 1 / rows);
      const kernel = await createLinearWeightGrad(gpu, { K, N }, rows, 'subgroup');
      expect(kernel.kernel.name).toBe('linear_weight_grad_subgroup');
      const dw = zeros(gpu, K * N);
      const group = kernel.bind({ x: upload(gpu, x), dy: upload(gpu, dy), dw });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
      expectClose(await readFloats(gpu, dw, K * N), linearWeightGrad(x, dy, rows, K, N), TOL, 'dW');
    });
  }
});
