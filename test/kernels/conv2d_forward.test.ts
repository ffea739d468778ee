import { describe, expect, it } from 'vitest';
import { ACTIVATION_CODES, conv2dForward as kernel } from '../../src/kernels/conv2d_forward.js';
import { conv2dForward, convOut } from '../../src/reference/conv2d_forward.js';
import { conv2dWeightPack } from '../../src/reference/conv2d_weight_pack.js';
import { Rng } from '../../src/random.js';
import { CONV_CASES, convPad, convShape } from './conv_cases.js';
import { expectClose, oneStep, randomFloats, readFloats, runPass, testGpu, upload, zeros } from './harness.js';

// Tolerance: the GPU sums at most 16·25 = 400 products in f32, the reference in f64. With pixel-like x in
// [0, 1), w ~ N(0, 0.2²) and b ~ N(0, 0.5²), |pre-activation| < ~10 and f32 rounding stays below ~2e-6;
// sigmoid's exp adds a few ulps. 1e-5 abs + 1e-5 rel.
// The weights go in packed (conv2d_weight_pack's CPU twin; the pack kernel has its own test).
describe('conv2d_forward: y = act(conv2d(x, w) + b)', () => {
  for (const c of CONV_CASES) {
    for (const rows of c.rows) {
      for (const act of ['none', 'sigmoid', 'relu'] as const) {
        if (act !== 'sigmoid' && rows !== 7) continue; // the other activations once per shape
        it(`${c.name}, rows ${rows}, ${act}`, async () => {
          const gpu = await testGpu();
          const rng = new Rng(rows * 31 + c.cIn * 7 + c.cOut + c.h);
          const { ho, wo } = convOut(c);
          const x = Float32Array.from({ length: rows * c.cIn * c.h * c.w }, () => rng.uniform());
          const w = randomFloats(rng, c.cOut * c.cIn * c.ks * c.ks, 0.2);
          const b = randomFloats(rng, c.cOut, 0.5);
          const k = await kernel.create(gpu, convShape(c), { rows, constants: { ...convPad(c), ACT: ACTIVATION_CODES[act] } });
          const y = zeros(gpu, rows * c.cOut * ho * wo);
          const group = k.bind({ x: upload(gpu, x), w: upload(gpu, conv2dWeightPack(w, 1, c.cOut, c.cIn * c.ks * c.ks)), bias: upload(gpu, b), y });
          await runPass(gpu, (pass) => k.encode(pass, group, oneStep(gpu, rows)));
          const expected = conv2dForward(x, w, b, rows, c, ACTIVATION_CODES[act]);
          expectClose(await readFloats(gpu, y, expected.length), expected, { abs: 1e-5, rel: 1e-5 }, 'y');
        });
      }
    }
  }

  it('refuses more than 16 output channels at create', async () => {
    const gpu = await testGpu();
    // (.then rather than expect().rejects: this suite also runs in the page, whose expect has no .rejects)
    const refusal = await kernel.create(gpu, { C_IN: 1, C_OUT: 17, H: 8, W: 8, KS: 3 }).then(() => 'created', (e: Error) => e.message);
    expect(refusal).toMatch(/C_OUT 17 is more than 16/);
  });
});
