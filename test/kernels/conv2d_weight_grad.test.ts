import { describe, it } from 'vitest';
import { conv2dWeightGrad as kernel } from '../../src/kernels/conv2d_weight_grad.js';
import { convOut } from '../../src/reference/conv2d_forward.js';
import { conv2dWeightGrad } from '../../src/reference/conv2d_weight_grad.js';
import { Rng } from '../../src/random.js';
import { CONV_CASES, convPad, convShape } from './conv_cases.js';
import { expectClose, oneStep, randomFloats, readFloats, runPass, testGpu, upload, zeros } from './harness.js';

// Tolerance: each dw sums up to rows·HO·WO = 257·784 ≈ 2e5 products of x in [0, 1) and dy ~ N(0, 0.01²)
// (|dw| ~ 5 at most) in f32: 64 per-invocation partial sums of ~3e3 terms, then one sum of 64; the rounding
// error grows ~ sqrt(terms)·ulp, below ~1e-5 abs. 5e-5 abs + 1e-5 rel.
describe('conv2d_weight_grad: dw, db of a stride-1 convolution summed over the minibatch', () => {
  for (const c of CONV_CASES) {
    for (const rows of c.rows) {
      it(`${c.name}, rows ${rows}`, async () => {
        const gpu = await testGpu();
        const rng = new Rng(rows * 13 + c.cIn * 3 + c.cOut + c.ks);
        const { ho, wo } = convOut(c);
        const x = Float32Array.from({ length: rows * c.cIn * c.h * c.w }, () => rng.uniform());
        const dy = randomFloats(rng, rows * c.cOut * ho * wo, 0.01);
        const k = await kernel.create(gpu, convShape(c), { rows, constants: convPad(c) });
        const dw = zeros(gpu, c.cOut * c.cIn * c.ks * c.ks);
        const db = zeros(gpu, c.cOut);
        const group = k.bind({ x: upload(gpu, x), dy: upload(gpu, dy), dw, db });
        await runPass(gpu, (pass) => k.encode(pass, group, oneStep(gpu, rows)));
        const expected = conv2dWeightGrad(x, dy, rows, c);
        expectClose(await readFloats(gpu, dw, expected.dw.length), expected.dw, { abs: 5e-5, rel: 1e-5 }, 'dw');
        expectClose(await readFloats(gpu, db, c.cOut), expected.db, { abs: 5e-5, rel: 1e-5 }, 'db');
      });
    }
  }
});
