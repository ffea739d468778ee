import { describe, it } from 'vitest';
import { conv2dInputGrad as kernel } from '../../src/kernels/conv2d_input_grad.js';
import { convOut } from '../../src/reference/conv2d_forward.js';
import { conv2dInputGrad } from '../../src/reference/conv2d_input_grad.js';
import { conv2dWeightPack } from '../../src/reference/conv2d_weight_pack.js';
import { Rng } from '../../src/random.js';
import { CONV_CASES, convPad, convShape } from './conv_cases.js';
import { expectClose, oneStep, randomFloats, readFloats, runPass, testGpu, upload, zeros } from './harness.js';

// Tolerance: each dx sums at most C_OUT·KS² = 400 products of dy ~ N(0, 1) and w ~ N(0, 0.2²) in f32
// (|dx| ~ 4): f32 rounding stays below ~5e-6 abs. 2e-5 abs + 1e-5 rel.
// The weights go in packed (conv2d_weight_pack's CPU twin; the pack kernel has its own test).
describe('conv2d_input_grad: dx of a stride-1 convolution', () => {
  for (const c of CONV_CASES) {
    for (const rows of c.rows) {
      it(`${c.name}, rows ${rows}`, async () => {
        const gpu = await testGpu();
        const rng = new Rng(rows * 17 + c.cIn * 5 + c.cOut + c.w);
        const { ho, wo } = convOut(c);
        const dy = randomFloats(rng, rows * c.cOut * ho * wo);
        const w = randomFloats(rng, c.cOut * c.cIn * c.ks * c.ks, 0.2);
        const k = await kernel.create(gpu, convShape(c), { rows, constants: convPad(c) });
        const dx = zeros(gpu, rows * c.cIn * c.h * c.w);
        const group = k.bind({ dy: upload(gpu, dy), w: upload(gpu, conv2dWeightPack(w, c.cOut, c.cIn, c.ks * c.ks)), dx });
        await runPass(gpu, (pass) => k.encode(pass, group, oneStep(gpu, rows)));
        const expected = conv2dInputGrad(dy, w, rows, c);
        expectClose(await readFloats(gpu, dx, expected.length), expected, { abs: 2e-5, rel: 1e-5 }, 'dx');
      });
    }
  }
});
