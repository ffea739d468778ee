import { describe, expect, it } from 'vitest';
import { ACTIVATION_CODES } from '../../src/kernels/conv2d_forward.js';
import { poolBackward as generic, poolBackwardVec2 } from '../../src/kernels/pool_backward.js';
import { POOL_CODES } from '../../src/kernels/pool_forward.js';
import { poolBackward } from '../../src/reference/pool_backward.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomFloats, readFloats, runPass, testGpu, upload , inPage, refusal } from './harness.js';

const SHAPES = [
  { c: 6, h: 28, w: 28 },
  { c: 16, h: 10, w: 10 },
  { c: 3, h: 13, w: 13 },
  { c: 1, h: 5, w: 14 },
  { c: 3, h: 6, w: 14 },
];

// Tolerance: one or two f32 products per element (dy/4 · a(1 - a)): 1e-6 abs + 1e-6 rel.
// pool_backward_vec2 (even sizes, one invocation per window) against the same twin on the even shapes.
for (const [name, kernel] of [['pool_backward', generic], ['pool_backward_vec2', poolBackwardVec2]] as const) {
describe(`${name}: dx of 2x2 pooling times the pooled activation's slope`, () => {
  for (const s of SHAPES) {
    if (kernel === poolBackwardVec2 && (s.h % 2 !== 0 || s.w % 2 !== 0)) continue; // even sizes only
    for (const rows of inPage([1, 7, 257], [7])) {
      for (const [pool, act] of [['avg', 'sigmoid'], ['max', 'relu'], ['max', 'none'], ['avg', 'none']] as const) {
        if (rows !== 7 && act === 'none') continue;
        it(`${s.c}x${s.h}x${s.w}, rows ${rows}, ${pool} after ${act}`, async () => {
          const gpu = await testGpu();
          const rng = new Rng(rows + s.c * 100 + s.w);
          const n = rows * s.c * s.h * s.w;
          // Activation outputs: in (0, 1) after sigmoid, >= 0 with zeros after ReLU; some ties for max.
          const a = Float32Array.from({ length: n }, () => (act === 'sigmoid' ? rng.uniform() : Math.max(0, Math.round(rng.normal() * 4) / 4)));
          const dy = randomFloats(rng, rows * s.c * Math.floor(s.h / 2) * Math.floor(s.w / 2));
          const k = await kernel.create(gpu, { C: s.c, H: s.h, W: s.w }, { rows, constants: { POOL: POOL_CODES[pool], ACT: ACTIVATION_CODES[act] } });
          const dx = createFilled(gpu, n);
          const group = k.bind({ a: upload(gpu, a), dy: upload(gpu, dy), dx });
          await runPass(gpu, (pass) => k.encode(pass, group, oneStep(gpu, rows)));
          const got = await readFloats(gpu, dx, n);
          expectClose(got, poolBackward(a, dy, rows, s.c, s.h, s.w, POOL_CODES[pool], ACTIVATION_CODES[act]), { abs: 1e-6, rel: 1e-6 }, 'dx');
          if (pool === 'max') {
            // Ties (a = 0 after ReLU, or equal quarters) route the gradient to one element only, never two.
            const windows = rows * s.c * Math.floor(s.h / 2) * Math.floor(s.w / 2);
            expect(Array.from(got).filter((v) => v !== 0).length).toBeLessThanOrEqual(windows);
          }
        });
      }
    }
  }
});
}

// Non-zero garbage in dx, so elements outside every window must be written (0), not skipped.
function createFilled(gpu: Awaited<ReturnType<typeof testGpu>>, n: number): GPUBuffer {
  return upload(gpu, new Float32Array(n).fill(7), 'dx');
}

describe('pool_backward_vec2 refuses an odd size, in one line', () => {
  it('H 13', async () => {
    const gpu = await testGpu();
    expect(await refusal(() => poolBackwardVec2.create(gpu, { C: 2, H: 13, W: 14 }, { rows: 1 }))).toMatch(/H and W must be even, not 13x14/);
  });
});
