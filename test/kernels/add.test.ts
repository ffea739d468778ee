import { describe, expect, it } from 'vitest';
import { add, addInto } from '../../src/kernels/add.js';
import { add as addTwin, addInto as addIntoTwin } from '../../src/reference/add.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomFloats, readFloats, runPass, testGpu, upload } from './harness.js';

// [rows, N] shapes: odd widths, batch 1, a step shorter than the kernel's rows (values past it untouched), and
// a 2-D grid (WG 1 over 70,001 values). Exact: one f32 addition per value, as the twin rounds it to f32.
const SHAPES = [
  { n: 37, rows: 1, maxRows: 1, wg: undefined },
  { n: 37, rows: 5, maxRows: 7, wg: undefined },
  { n: 70_001, rows: 1, maxRows: 2, wg: 1 },
  // N % 4 == 0: four values an invocation (prelude/quads.wgsl), one grid past 65,535 workgroups.
  { n: 36, rows: 5, maxRows: 7, wg: undefined },
  { n: 280_000, rows: 1, maxRows: 2, wg: 1 },
];

describe('add: out = a + b, and out += b (gradients that fan out)', () => {
  for (const s of SHAPES) {
    it(`N ${s.n}, rows ${s.rows} of ${s.maxRows}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(s.n * 3 + s.rows);
      const total = s.maxRows * s.n;
      const used = s.rows * s.n;
      const [a, b, c] = [randomFloats(rng, total), randomFloats(rng, total), randomFloats(rng, total)];
      const sum = await add.create(gpu, { N: s.n }, { rows: s.maxRows, workgroup: s.wg });
      const into = await addInto.create(gpu, { N: s.n }, { rows: s.maxRows, workgroup: s.wg });
      if (s.wg === 1) expect(sum.grid[1]).toBeGreaterThan(1);
      const out = upload(gpu, new Float32Array(total).fill(-7), 'out');
      const g1 = sum.bind({ a: upload(gpu, a), b: upload(gpu, b), out });
      const g2 = into.bind({ b: upload(gpu, c), out });
      const step = oneStep(gpu, s.rows);
      await runPass(gpu, (pass) => {
        sum.encode(pass, g1, step);
        into.encode(pass, g2, step);
      });
      const expected = Float32Array.from(addTwin(a.subarray(0, used), b));
      addIntoTwin(expected, c);
      const got = await readFloats(gpu, out, total);
      expectClose(got.subarray(0, used), expected, { abs: 0 }, 'out');
      expect(got.subarray(used).every((v) => v === -7), 'rows past the step left alone').toBe(true);
    });
  }
});
