import { describe, expect, it } from 'vitest';
import { batchNormForward as kernel } from '../../src/kernels/batch_norm_forward.js';
import { batchNormForward } from '../../src/reference/batch_norm_forward.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomFloats, readFloats, runPass, testGpu, upload, zeros } from './harness.js';

const CASES = [
  { rows: 7, maxRows: 7, c: 5, hw: 1 },
  { rows: 3, maxRows: 8, c: 6, hw: 28 * 28 },
  { rows: 1, maxRows: 1, c: 17, hw: 13 * 11 },
];

// Tolerance: one multiply-add chain in f32 against f64: 1e-6 absolute + 1e-5 relative.
describe('batch_norm_forward: training statistics and running statistics', () => {
  for (const t of CASES) {
    for (const training of [true, false]) {
      it(`rows ${t.rows} of ${t.maxRows}, C ${t.c}, HW ${t.hw}, ${training ? 'training' : 'evaluation'}`, async () => {
        const gpu = await testGpu();
        const rng = new Rng(t.c + t.hw + (training ? 1 : 0));
        const x = randomFloats(rng, t.maxRows * t.c * t.hw, 2, 0.3);
        const p = {
          weight: randomFloats(rng, t.c, 1, 1),
          bias: randomFloats(rng, t.c, 0.5),
          mean: randomFloats(rng, t.c, 0.3),
          spread: Float32Array.from({ length: t.c }, () => 0.2 + rng.uniform()),
        };
        const k = await kernel.create(gpu, { C: t.c, HW: t.hw }, { rows: t.maxRows, constants: { TRAINING: training ? 1 : 0 } });
        const n = t.maxRows * t.c * t.hw;
        const y = zeros(gpu, n);
        await runPass(gpu, (pass) => k.encode(pass, k.bind({ x: upload(gpu, x), weight: upload(gpu, p.weight), bias: upload(gpu, p.bias), mean: upload(gpu, p.mean), spread: upload(gpu, p.spread), y }), oneStep(gpu, t.rows)));
        const got = await readFloats(gpu, y, n);
        const m = t.rows * t.c * t.hw;
        expectClose(got.subarray(0, m), batchNormForward(x, t.rows, t.c, t.hw, p, training), { abs: 1e-6, rel: 1e-5 }, 'y');
        expect(got.subarray(m).every((v) => v === 0), 'rows past the step are not written').toBe(true);
      });
    }
  }

  it('evaluation differs from training: the running variance is inverted with eps, the step invstd used as is', () => {
    const p = { weight: [1], bias: [0], mean: [0], spread: [4] };
    expect(batchNormForward([2], 1, 1, 1, p, true)[0]).toBe(8);
    expect(batchNormForward([2], 1, 1, 1, p, false, 0)[0]).toBe(1);
  });
});
