import { describe, it } from 'vitest';
import { ACTIVATION_CODES } from '../../src/kernels/conv2d_forward.js';
import { denseInputGrad as kernel } from '../../src/kernels/dense_input_grad.js';
import { denseInputGrad } from '../../src/reference/dense_input_grad.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomFloats, readFloats, runPass, testGpu, upload, zeros , inPage } from './harness.js';

// LeNet's three dense layers (10 -> 84, 84 -> 120, 120 -> 400 backwards) and an awkward one.
const SHAPES = [
  { K: 84, N: 10 },
  { K: 120, N: 84 },
  { K: 400, N: 120 },
  { K: 13, N: 3 },
];

// Tolerance: at most 120 f32 products of dy ~ N(0, 1) and W ~ N(0, 0.1²) per element (|dx| ~ 1):
// rounding below ~1e-6. 5e-6 abs + 1e-5 rel.
describe('dense_input_grad: dx = (dy·Wᵀ) ⊙ act\'(x)', () => {
  for (const s of SHAPES) {
    for (const rows of inPage([1, 7, 257], [7])) {
      for (const act of ['sigmoid', 'relu', 'none'] as const) {
        if (rows !== 7 && act !== 'sigmoid') continue;
        it(`rows ${rows}, K ${s.K}, N ${s.N}, ${act}`, async () => {
          const gpu = await testGpu();
          const rng = new Rng(rows * 5 + s.K + s.N);
          const dy = randomFloats(rng, rows * s.N);
          const w = randomFloats(rng, s.K * s.N, 0.1);
          const x = Float32Array.from({ length: rows * s.K }, () => (act === 'relu' ? Math.max(0, rng.normal()) : rng.uniform()));
          const k = await kernel.create(gpu, s, { rows, constants: { ACT: ACTIVATION_CODES[act] } });
          const dx = zeros(gpu, rows * s.K);
          const group = k.bind({ dy: upload(gpu, dy), w: upload(gpu, w), x: upload(gpu, x), dx });
          await runPass(gpu, (pass) => k.encode(pass, group, oneStep(gpu, rows)));
          expectClose(await readFloats(gpu, dx, rows * s.K), denseInputGrad(dy, w, x, rows, s.K, s.N, ACTIVATION_CODES[act]), { abs: 5e-6, rel: 1e-5 }, 'dx');
        });
      }
    }
  }
});
