import { describe, it } from 'vitest';
import { add as addKernel, addInto as addIntoKernel } from '../../src/kernels/add.js';
import { add, addInto } from '../../src/reference/add.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomFloats, readFloats, runPass, testGpu, upload } from './harness.js';

// Tolerance: two f32 additions per value against f64 (a + b + c may cancel): 1e-6 abs + 1e-6 rel.
describe('add: out = a + b, out += b', () => {
  for (const t of [{ rows: 1, maxRows: 1, n: 3 }, { rows: 6, maxRows: 11, n: 5 * 6 * 6 }]) {
    it(`rows ${t.rows} of ${t.maxRows}, N ${t.n}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(t.n);
      const total = t.maxRows * t.n;
      const used = t.rows * t.n;
      const [a, b, c] = [randomFloats(rng, total), randomFloats(rng, total), randomFloats(rng, total)];
      const [sum, accumulate] = await Promise.all([addKernel.create(gpu, { N: t.n }, { rows: t.maxRows }), addIntoKernel.create(gpu, { N: t.n }, { rows: t.maxRows })]);
      const out = upload(gpu, new Float32Array(total));
      const step = oneStep(gpu, t.rows);
      await runPass(gpu, (pass) => {
        sum.encode(pass, sum.bind({ a: upload(gpu, a), b: upload(gpu, b), out }), step);
        accumulate.encode(pass, accumulate.bind({ b: upload(gpu, c), out }), step);
      });
      const want = add(a.subarray(0, used), b);
      addInto(want, c);
      const got = await readFloats(gpu, out, total);
      expectClose(got.subarray(0, used), want, { abs: 1e-6, rel: 1e-6 }, 'out');
      expectClose(got.subarray(used), new Float64Array(total - used), { abs: 0 }, 'out past the step');
    });
  }
});
