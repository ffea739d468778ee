import { describe, it } from 'vitest';
import { ACTIVATION_CODES, activationBackward as backwardKernel, activationForward as forwardKernel } from '../../src/kernels/activation.js';
import { activationBackward, activationForward } from '../../src/reference/activation.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomFloats, readFloats, runPass, testGpu, upload, zeros } from './harness.js';

// Shapes: a row of 1, odd widths, a step of fewer rows than the kernel's maximum (rows past it stay 0).
const CASES = [
  { rows: 1, maxRows: 1, n: 1 },
  { rows: 5, maxRows: 9, n: 37 },
  { rows: 64, maxRows: 64, n: 6 * 14 * 14 },
];

// Tolerance: exp in f32 against f64 (sigmoid): 1e-6 abs + 1e-6 rel; ReLU is exact.
describe('activation: forward act(x) and backward dy · act\'(y)', () => {
  for (const t of CASES) {
    for (const name of ['relu', 'sigmoid'] as const) {
      it(`${name}, rows ${t.rows} of ${t.maxRows}, N ${t.n}`, async () => {
        const gpu = await testGpu();
        const rng = new Rng(t.n + t.rows);
        const act = ACTIVATION_CODES[name];
        const total = t.maxRows * t.n;
        const used = t.rows * t.n;
        const x = randomFloats(rng, total, 3);
        const dy = randomFloats(rng, total);
        const options = { rows: t.maxRows, constants: { ACT: act } };
        const [forward, backward] = await Promise.all([forwardKernel.create(gpu, { N: t.n }, options), backwardKernel.create(gpu, { N: t.n }, options)]);
        const y = zeros(gpu, total);
        const dx = zeros(gpu, total);
        const step = oneStep(gpu, t.rows);
        await runPass(gpu, (pass) => {
          forward.encode(pass, forward.bind({ x: upload(gpu, x), out: y }), step);
          backward.encode(pass, backward.bind({ x: y, dy: upload(gpu, dy), out: dx }), step);
        });
        const wantY = activationForward(x.subarray(0, used), act);
        const gotY = await readFloats(gpu, y, total);
        expectClose(gotY.subarray(0, used), wantY, { abs: 1e-6, rel: 1e-6 }, 'y');
        expectClose(gotY.subarray(used), new Float64Array(total - used), { abs: 0 }, 'y past the step');
        expectClose((await readFloats(gpu, dx, total)).subarray(0, used), activationBackward(gotY.subarray(0, used), dy, act), { abs: 1e-6, rel: 1e-6 }, 'dx');
      });
    }
  }
});
