import { describe, expect, it } from 'vitest';
import { gradientSumAdd, gradientSumBegin, gradientSumFinish } from '../../src/kernels/accumulate_gradient.js';
import { accumulateGradient } from '../../src/reference/accumulate_gradient.js';
import { Rng } from '../../src/random.js';
import { expectClose, randomFloats, readFloats, runPass, testGpu, upload } from './harness.js';

// Gradients of odd sizes (a tail vec4 partly padding), one past 65,535 workgroups of WG 1 (a 2-D grid), over one
// to five chunks. Exact: the twin adds in f32 in the GPU's order.
const CASES = [
  { count: 1, chunks: 2, wg: undefined },
  { count: 37, chunks: 3, wg: undefined },
  { count: 4096, chunks: 5, wg: undefined },
  { count: 262_147, chunks: 2, wg: 1 },
];

describe("accumulate_gradient: a step's gradient from its chunks'", () => {
  for (const c of CASES) {
    it(`COUNT ${c.count}, ${c.chunks} chunks`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(c.count + c.chunks);
      const grads = Array.from({ length: c.chunks }, () => randomFloats(rng, c.count));
      const options = { workgroup: c.wg };
      const [begin, add, finish] = await Promise.all([gradientSumBegin.create(gpu, { COUNT: c.count }, options), gradientSumAdd.create(gpu, { COUNT: c.count }, options), gradientSumFinish.create(gpu, { COUNT: c.count }, options)]);
      if (c.wg === 1) expect(begin.grid[1]).toBeGreaterThan(1);
      const buffers = grads.map((g, i) => upload(gpu, g, `chunk ${i} grad`));
      const sum = upload(gpu, new Float32Array(c.count).fill(-7), 'sum');
      await runPass(gpu, (pass) => {
        begin.encode(pass, begin.bind({ grad: buffers[0], sum }));
        for (let i = 1; i < c.chunks - 1; i++) add.encode(pass, add.bind({ grad: buffers[i], sum }));
        finish.encode(pass, finish.bind({ last_grad: buffers[c.chunks - 1], earlier_sum: sum }));
      });
      const got = await readFloats(gpu, buffers[c.chunks - 1], c.count);
      expectClose(got, accumulateGradient(grads), { abs: 0 }, 'gradient');
      // The twin is the sum itself, to f32 rounding of a few additions.
      const exact = Float64Array.from({ length: c.count }, (_, i) => grads.reduce((s, g) => s + g[i], 0));
      expectClose(got, exact, { abs: 1e-6 * c.chunks, rel: 1e-6 * c.chunks }, 'sum');
    });
  }
});
