import { describe, expect, it } from 'vitest';
import { ACTIVATION_CODES } from '../../src/kernels/conv2d_shape.js';
import { poolBackward as generic, poolBackwardFor, poolBackwardVec2 } from '../../src/kernels/pool_backward.js';
import { POOL_CODES } from '../../src/kernels/pool_forward.js';
import { f64 } from '../../src/reference/conv2d_forward.js';
import { poolBackward } from '../../src/reference/pool_backward.js';
import { poolForward, poolOut } from '../../src/reference/pool_forward.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomFloats, readFloats, runPass, testGpu, upload , inPage, refusal } from './harness.js';
import { POOL_WINDOW_CASES, quarters, windowConstants, windowOf } from './pool_cases.js';

const SHAPES = [
  { c: 6, h: 28, w: 28 },
  { c: 16, h: 10, w: 10 },
  { c: 3, h: 13, w: 13 },
  { c: 1, h: 5, w: 14 },
  { c: 3, h: 6, w: 14 },
];

// Tolerance: one or two f32 products per element (dy/4 · a(1 - a)): 1e-6 abs + 1e-6 rel.
// pool_backward's windows_2x2 entry (poolBackwardVec2: even sizes, one invocation per window) against the same twin
// on the even shapes.
for (const [name, kernel] of [['pool_backward', generic], ['pool_backward windows_2x2', poolBackwardVec2]] as const) {
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

describe('pool_backward windows_2x2 refuses an odd size or another window, in one line', () => {
  it('H 13', async () => {
    const gpu = await testGpu();
    expect(await refusal(() => poolBackwardVec2.create(gpu, { C: 2, H: 13, W: 14 }, { rows: 1 }))).toMatch(/H and W must be even, not 13x14/);
  });
  it('3x3 windows, stride 2', async () => {
    const gpu = await testGpu();
    expect(await refusal(() => poolBackwardVec2.create(gpu, { C: 2, H: 14, W: 14 }, { rows: 1, constants: { KS: 3 } }))).toMatch(/windows are 2x2, stride 2, no padding; not 3x3, stride 2, padding 0/);
  });
});

// Any window, stride and padding (pool_cases.ts), against the twin: a gather over every window that holds an
// element (overlapping windows when the stride is under the window), ties in max windows (inputs in quarters),
// steps shorter than the kernel's rows (rows past the step left alone). Tolerance: sums of up to 4 overlapping
// windows' dy / (kh·kw) in f32: 1e-6 abs + 1e-6 rel.
describe('pool_backward: any window, stride and padding, gathered per input element', () => {
  for (const s of inPage(POOL_WINDOW_CASES, POOL_WINDOW_CASES.slice(0, 1))) {
    for (const [pool, act] of [['avg', 'none'], ['max', 'none'], ['max', 'relu'], ['avg', 'sigmoid']] as const) {
      if (s.name.startsWith('global') && pool === 'max') continue;
      if (act !== 'none' && s !== POOL_WINDOW_CASES[0]) continue;
      it(`${s.name}, rows ${s.rows} of ${s.maxRows}, ${pool} after ${act}`, async () => {
        const gpu = await testGpu();
        const rng = new Rng(s.c * 17 + s.w * 5 + s.ks);
        const n = s.maxRows * s.c * s.h * s.w;
        const a = act === 'sigmoid' ? Float32Array.from({ length: n }, () => rng.uniform()) : quarters(rng, n).map((v) => (act === 'relu' ? Math.max(v, 0) : v));
        const { ho, wo } = poolOut(s.h, s.w, windowOf(s));
        const dy = randomFloats(rng, s.maxRows * s.c * ho * wo);
        const k = await generic.create(gpu, { C: s.c, H: s.h, W: s.w }, { rows: s.maxRows, constants: { POOL: POOL_CODES[pool], ACT: ACTIVATION_CODES[act], ...windowConstants(s) } });
        const dx = createFilled(gpu, n);
        const group = k.bind({ a: upload(gpu, a), dy: upload(gpu, dy), dx });
        await runPass(gpu, (pass) => k.encode(pass, group, oneStep(gpu, s.rows)));
        const got = await readFloats(gpu, dx, n);
        const expected = poolBackward(a, dy, s.rows, s.c, s.h, s.w, POOL_CODES[pool], ACTIVATION_CODES[act], undefined, windowOf(s));
        expectClose(got.subarray(0, expected.length), expected, { abs: 1e-6, rel: 1e-6 }, 'dx');
        expect(got.subarray(expected.length).every((v) => v === 7), 'rows past the step left alone').toBe(true);
      });
    }
  }

  it('poolBackwardFor picks the vec2 kernel only for 2x2 / stride-2 windows on even sizes', () => {
    expect(poolBackwardFor({ H: 28, W: 28 })).toBe(poolBackwardVec2);
    expect(poolBackwardFor({ H: 28, W: 28 }, { KS: 3, STRIDE: 2, PAD: 1 })).toBe(generic);
    expect(poolBackwardFor({ H: 28, W: 28 }, { KS: 2, STRIDE: 1 })).toBe(generic);
    expect(poolBackwardFor({ H: 13, W: 14 })).toBe(generic);
  });
});

// PyTorch's rule for ties, by hand: a 3x3 plane of equal values, 2x2 windows with stride 1: each window's first
// element in scan order (its top-left) takes the window's dy, so dx = [1 2 0; 3 4 0; 0 0 0] for dy = [1 2; 3 4].
describe('pool_backward: max ties go to the first maximum in scan order', () => {
  it('a plane of equal values, 2x2 windows, stride 1', async () => {
    const gpu = await testGpu();
    const k = await generic.create(gpu, { C: 1, H: 3, W: 3 }, { constants: { POOL: POOL_CODES.max, KS: 2, STRIDE: 1 } });
    const dx = createFilled(gpu, 9);
    const group = k.bind({ a: upload(gpu, new Float32Array(9).fill(0.5)), dy: upload(gpu, Float32Array.of(1, 2, 3, 4)), dx });
    await runPass(gpu, (pass) => k.encode(pass, group, oneStep(gpu, 1)));
    expect(Array.from(await readFloats(gpu, dx, 9))).toEqual([1, 2, 0, 3, 4, 0, 0, 0, 0]);
  });
});

// The twins' dx against central differences of L = Σ pool(x)·g, in f64 (max: distinct values, so the argmax does
// not move within h), on 3x3 / stride-2 / padding-1 windows over a 5x6 plane (overlapping windows, padding).
describe('pool_backward twin: dx is the finite difference of pool_forward', () => {
  const win = { kh: 3, kw: 3, stride: 2, pad: 1 };
  const [rows, c, h, w] = [2, 2, 5, 6];
  const { ho, wo } = poolOut(h, w, win);
  for (const pool of ['avg', 'max'] as const) {
    it(pool, () => {
      const rng = new Rng(3);
      const x = Float64Array.from({ length: rows * c * h * w }, (_, i) => i * 0.01 + rng.uniform() * 0.001).sort(() => rng.uniform() - 0.5);
      const g = Float64Array.from(randomFloats(rng, rows * c * ho * wo));
      const loss = (xv: Float64Array) => {
        const y = poolForward(xv, rows, c, h, w, POOL_CODES[pool], f64, win);
        let sum = 0;
        for (let i = 0; i < y.length; i++) sum += y[i] * g[i];
        return sum;
      };
      const step = 1e-5;
      const numeric = x.map((v, i) => {
        const plus = Float64Array.from(x);
        plus[i] = v + step;
        const minus = Float64Array.from(x);
        minus[i] = v - step;
        return (loss(plus) - loss(minus)) / (2 * step);
      });
      expectClose(poolBackward(x, g, rows, c, h, w, POOL_CODES[pool], 0, f64, win), numeric, { abs: 1e-8 }, 'dx');
    });
  }
});
