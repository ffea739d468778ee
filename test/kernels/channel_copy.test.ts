import { describe, expect, it } from 'vitest';
import { channelCopy } from '../../src/kernels/channel_copy.js';
import { channelCopyInto, channelCopyOut } from '../../src/reference/channel_copy.js';
import { Rng } from '../../src/random.js';
import { oneStep, randomFloats, readFloats, refusal, runPass, testGpu, upload, zeros } from './harness.js';

// Copies are exact. Shapes: GoogLeNet-like parts of a 4-branch whole, HW 1 (after global pooling), a partial step.
describe('channel_copy: a branch into its channels of the concatenation, and back out', () => {
  for (const t of [{ rows: 3, maxRows: 3, parts: [2, 5, 1], hw: 7 * 7 }, { rows: 2, maxRows: 5, parts: [3, 4], hw: 1 }]) {
    it(`parts ${t.parts.join('+')}, HW ${t.hw}, rows ${t.rows} of ${t.maxRows}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(t.hw);
      const total = t.parts.reduce((a, b) => a + b, 0);
      const whole = zeros(gpu, t.maxRows * total * t.hw);
      const want = new Float64Array(t.maxRows * total * t.hw);
      const step = oneStep(gpu, t.rows);
      let offset = 0;
      const parts = [];
      for (const c of t.parts) {
        const dims = { C_PART: c, C_TOTAL: total, HW: t.hw };
        const part = randomFloats(rng, t.maxRows * c * t.hw);
        const [into, out] = await Promise.all([channelCopy.create(gpu, dims, { rows: t.maxRows, constants: { OFFSET: offset, INTO: 1 } }), channelCopy.create(gpu, dims, { rows: t.maxRows, constants: { OFFSET: offset, INTO: 0 } })]);
        const back = zeros(gpu, t.maxRows * c * t.hw);
        await runPass(gpu, (pass) => into.encode(pass, into.bind({ part: upload(gpu, part), whole }), step));
        channelCopyInto(part, want, t.rows, c, total, t.hw, offset);
        parts.push({ out, back, c, offset });
        offset += c;
      }
      const got = await readFloats(gpu, whole, want.length);
      expect(Array.from(got)).toEqual(Array.from(want));
      for (const p of parts) {
        await runPass(gpu, (pass) => p.out.encode(pass, p.out.bind({ part: p.back, whole }), step));
        const slice = await readFloats(gpu, p.back, t.rows * p.c * t.hw);
        expect(Array.from(slice)).toEqual(Array.from(channelCopyOut(want, t.rows, p.c, total, t.hw, p.offset)));
      }
    });
  }

  it('refuses a part that reaches past the whole', async () => {
    const gpu = await testGpu();
    expect(await refusal(() => channelCopy.create(gpu, { C_PART: 3, C_TOTAL: 4, HW: 1 }, { constants: { OFFSET: 2 } }))).toMatch(/past the 4/);
  });
});
