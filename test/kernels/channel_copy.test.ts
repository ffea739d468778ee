import { describe, expect, it } from 'vitest';
import { channelCopy } from '../../src/kernels/channel_copy.js';
import { channelCopyInto, channelCopyOut } from '../../src/reference/channel_copy.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomFloats, readFloats, refusal, runPass, testGpu, upload } from './harness.js';

// Exact copies. Three branches of odd channel counts (3, 1, 5) and odd planes (7x5) concatenated into 9 channels
// (GoogLeNet's Inception), a step shorter than the kernels' rows, batch 1, and a 2-D grid (WG 1, 70,000 values);
// then each branch's slice copied back out (the backward).
const CASES = [
  { parts: [3, 1, 5], hw: 35, rows: 2, maxRows: 3, wg: undefined },
  { parts: [2, 4], hw: 1, rows: 1, maxRows: 1, wg: undefined },
  { parts: [1, 2], hw: 35_000, rows: 1, maxRows: 2, wg: 1 },
];

describe('channel_copy: a branch into its channels of a concatenation (INTO 1) and back out (INTO 0)', () => {
  for (const s of CASES) {
    it(`parts ${s.parts.join('+')}, HW ${s.hw}, rows ${s.rows} of ${s.maxRows}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(s.hw + s.parts.length);
      const total = s.parts.reduce((t, c) => t + c, 0);
      const parts = s.parts.map((c) => randomFloats(rng, s.maxRows * c * s.hw));
      const whole = upload(gpu, new Float32Array(s.maxRows * total * s.hw).fill(-7), 'whole');
      const dWhole = randomFloats(rng, s.maxRows * total * s.hw);
      const dWholeBuffer = upload(gpu, dWhole);
      const expectedWhole = new Float32Array(s.maxRows * total * s.hw).fill(-7);
      const step = oneStep(gpu, s.rows);
      const outs: GPUBuffer[] = [];
      let offset = 0;
      for (const [i, c] of s.parts.entries()) {
        const shape = { C_PART: c, C_TOTAL: total, HW: s.hw };
        const into = await channelCopy.create(gpu, shape, { rows: s.maxRows, workgroup: s.wg, constants: { OFFSET: offset, INTO: 1 } });
        const back = await channelCopy.create(gpu, shape, { rows: s.maxRows, workgroup: s.wg, constants: { OFFSET: offset, INTO: 0 } });
        if (s.wg === 1 && c * s.hw * s.maxRows > 65_535) expect(into.grid[1]).toBeGreaterThan(1);
        const out = upload(gpu, new Float32Array(s.maxRows * c * s.hw).fill(-7), 'part grad');
        outs.push(out);
        const g1 = into.bind({ part: upload(gpu, parts[i]), whole });
        const g2 = back.bind({ part: out, whole: dWholeBuffer });
        await runPass(gpu, (pass) => {
          into.encode(pass, g1, step);
          back.encode(pass, g2, step);
        });
        channelCopyInto(parts[i], expectedWhole, s.rows, c, total, s.hw, offset);
        const got = await readFloats(gpu, out, s.maxRows * c * s.hw);
        const used = s.rows * c * s.hw;
        expectClose(got.subarray(0, used), channelCopyOut(dWhole, s.rows, c, total, s.hw, offset), { abs: 0 }, `slice ${i}`);
        expect(got.subarray(used).every((v) => v === -7), 'rows past the step left alone').toBe(true);
        offset += c;
      }
      expectClose(await readFloats(gpu, whole, expectedWhole.length), expectedWhole, { abs: 0 }, 'whole');
    });
  }

  it('refuses channels past the whole, in one line', async () => {
    const gpu = await testGpu();
    expect(await refusal(() => channelCopy.create(gpu, { C_PART: 3, C_TOTAL: 8, HW: 4 }, { constants: { OFFSET: 6 } }))).toMatch(/channels \[6, 9\) are past the 8 of the whole/);
  });
});
