import { describe, expect, it } from 'vitest';
import { ACTIVATION_CODES, activationBackward, activationForward } from '../../src/kernels/activation.js';
import { activationBackward as backward, activationForward as forward } from '../../src/reference/activation.js';
import { Rng } from '../../src/random.js';
import { expectClose, oneStep, randomFloats, readFloats, runPass, testGpu, upload } from './harness.js';

type Gpu = Awaited<ReturnType<typeof testGpu>>;
const FILL = -7;
const filled = (gpu: Gpu, n: number) => upload(gpu, new Float32Array(n).fill(FILL), 'out');

// [rows, N] shapes: odd widths, batch 1, a step shorter than the kernel's rows (values past it untouched), and
// a 2-D grid (WG 1 over 70,001 values: past 65,535 workgroups in one dimension).
const SHAPES = [
  { n: 37, rows: 1, maxRows: 1, wg: undefined },
  { n: 37, rows: 5, maxRows: 7, wg: undefined },
  { n: 256, rows: 3, maxRows: 3, wg: undefined },
  { n: 70_001, rows: 1, maxRows: 2, wg: 1 },
  // N % 4 == 0: four values an invocation (prelude/quads.wgsl), one grid past 65,535 workgroups.
  { n: 36, rows: 5, maxRows: 7, wg: undefined },
  { n: 280_000, rows: 1, maxRows: 2, wg: 1 },
];

// Tolerance: ReLU is exact; sigmoid 1 / (1 + exp(-x)) in f32 (lavapipe's exp within a few ulp): 1e-6 abs + 1e-5
// rel; the backward dy·y·(1 - y) is three f32 roundings: 1e-7 abs + 1e-6 rel.
describe('activation: y = act(x) and dx = dy·act\'(y), sigmoid and ReLU', () => {
  for (const s of SHAPES) {
    for (const act of ['sigmoid', 'relu'] as const) {
      it(`forward and backward, N ${s.n}, rows ${s.rows} of ${s.maxRows}, ${act}`, async () => {
        const gpu = await testGpu();
        const rng = new Rng(s.n + s.rows);
        const total = s.maxRows * s.n;
        const used = s.rows * s.n;
        const x = randomFloats(rng, total, 3);
        const dy = randomFloats(rng, total);
        const constants = { ACT: ACTIVATION_CODES[act] };
        const fwd = await activationForward.create(gpu, { N: s.n }, { rows: s.maxRows, workgroup: s.wg, constants });
        const bwd = await activationBackward.create(gpu, { N: s.n }, { rows: s.maxRows, workgroup: s.wg, constants });
        if (s.wg === 1) expect(fwd.grid[1]).toBeGreaterThan(1);
        const y = filled(gpu, total);
        const dx = filled(gpu, total);
        const f = fwd.bind({ x: upload(gpu, x), out: y });
        const b = bwd.bind({ x: y, dy: upload(gpu, dy), out: dx });
        const step = oneStep(gpu, s.rows);
        await runPass(gpu, (pass) => {
          fwd.encode(pass, f, step);
          bwd.encode(pass, b, step);
        });
        const gotY = await readFloats(gpu, y, total);
        const gotDx = await readFloats(gpu, dx, total);
        const exact = act === 'relu';
        expectClose(gotY.subarray(0, used), forward(x.subarray(0, used), ACTIVATION_CODES[act]), exact ? { abs: 0 } : { abs: 1e-6, rel: 1e-5 }, 'y');
        // The backward from the GPU's own y, so only the backward's rounding is compared.
        expectClose(gotDx.subarray(0, used), backward(gotY.subarray(0, used), dy, ACTIVATION_CODES[act]), exact ? { abs: 0 } : { abs: 1e-7, rel: 1e-6 }, 'dx');
        expect(gotY.subarray(used).every((v) => v === FILL) && gotDx.subarray(used).every((v) => v === FILL), 'rows past the step left alone').toBe(true);
      });
    }
  }
});

// The twin's backward against central differences of its forward, in f64 (ReLU away from its kink).
describe('activation twin: the backward is the derivative of the forward', () => {
  for (const act of ['sigmoid', 'relu'] as const) {
    it(act, () => {
      const x = Float64Array.from(randomFloats(new Rng(9), 50, 3)).filter((v) => Math.abs(v) > 1e-3);
      const y = forward(x, ACTIVATION_CODES[act]);
      const h = 1e-6;
      const numeric = x.map((v) => (forward([v + h], ACTIVATION_CODES[act])[0] - forward([v - h], ACTIVATION_CODES[act])[0]) / (2 * h));
      expectClose(backward(y, new Float64Array(x.length).fill(1), ACTIVATION_CODES[act]), numeric, { abs: 1e-8 }, 'dx');
    });
  }
});
