import { describe, it } from 'vitest';
import { activationForward as kernel } from '../../src/kernels/activation_forward.js';
import { ACTIVATION_CODES } from '../../src/kernels/conv2d_forward.js';
import { activationForward } from '../../src/reference/activation_forward.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomFloats, readFloats, runPass, testGpu, upload , inPage } from './harness.js';

// Tolerance: sigmoid in f32 (exp, a division) is within a few ulps of f64: 1e-6 abs + 1e-6 rel; ReLU is exact.
// Inputs up to ±100 check that sigmoid saturates to 0 and 1 without NaN.
describe('activation_forward: x = act(x) in place', () => {
  for (const N of [120, 84, 7]) {
    for (const rows of inPage([1, 7, 257], [7])) {
      for (const act of ['sigmoid', 'relu'] as const) {
        it(`rows ${rows}, N ${N}, ${act}`, async () => {
          const gpu = await testGpu();
          const rng = new Rng(rows * 3 + N);
          const x = randomFloats(rng, rows * N, 3);
          x[0] = 100;
          x[rows * N - 1] = -100;
          const k = await kernel.create(gpu, { N }, { rows, constants: { ACT: ACTIVATION_CODES[act] } });
          const buffer = upload(gpu, x);
          const group = k.bind({ x: buffer });
          await runPass(gpu, (pass) => k.encode(pass, group, oneStep(gpu, rows)));
          expectClose(await readFloats(gpu, buffer, rows * N), activationForward(x, ACTIVATION_CODES[act]), { abs: 1e-6, rel: 1e-6 }, 'x');
        });
      }
    }
  }
});
