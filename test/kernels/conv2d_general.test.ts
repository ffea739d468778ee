import { describe, expect, it } from 'vitest';
import { ACTIVATION_CODES } from '../../src/kernels/conv2d_shape.js';
import { conv2dGeneralForward, conv2dGeneralInputGrad, conv2dGeneralWeightGrad, forwardFlat } from '../../src/kernels/conv2d_general.js';
import { f64 } from '../../src/reference/conv2d_forward.js';
import { type ConvGeneralDims, conv2dGeneralForward as forward, conv2dGeneralInputGrad as inputGrad, conv2dGeneralWeightGrad as weightGrad, convGeneralOut } from '../../src/reference/conv2d_general.js';
import { Rng } from '../../src/random.js';
import { expectPrefix, filled, type GeneralCase, inputs, tolerance } from './conv_general_cases.js';
import { expectClose, inPage, oneStep, randomFloats, readFloats, refusal, runPass, testGpu, upload } from './harness.js';

type Case = GeneralCase;

// Awkward shapes: channel counts that are not multiples of 4 (the kernels' channel quads), odd and non-square
// sizes, batch 1, steps shorter than the kernel's rows, stride 2 with padding, stride 4 with an 11x11 kernel
// (AlexNet's first layer), 1x1 kernels (stride 1 and a stride-2 shortcut), padding wider than the kernel (outputs
// that see only padding), stride 3 with widths that leave a partial last quad, 2,048 input channels.
const ALL_CASES: Case[] = [
  { name: '1->6, 28x28, k5 s1 p2', cIn: 1, cOut: 6, h: 28, w: 28, ks: 5, stride: 1, pad: 2, rows: 3, maxRows: 5 },
  { name: '3->5, 13x11, k3 s2 p1', cIn: 3, cOut: 5, h: 13, w: 11, ks: 3, stride: 2, pad: 1, rows: 2, maxRows: 2 },
  { name: '2->7, 23x23, k11 s4 p2', cIn: 2, cOut: 7, h: 23, w: 23, ks: 11, stride: 4, pad: 2, rows: 1, maxRows: 3 },
  { name: '9->10, 7x9, k1 s1 p0', cIn: 9, cOut: 10, h: 7, w: 9, ks: 1, stride: 1, pad: 0, rows: 2, maxRows: 2 },
  { name: '6->4, 10x10, k1 s2 p0', cIn: 6, cOut: 4, h: 10, w: 10, ks: 1, stride: 2, pad: 0, rows: 1, maxRows: 1 },
  { name: '4->3, 6x7, k2 s4 p5', cIn: 4, cOut: 3, h: 6, w: 7, ks: 2, stride: 4, pad: 5, rows: 2, maxRows: 4 },
  { name: '5->9, 14x17, k7 s3 p3', cIn: 5, cOut: 9, h: 14, w: 17, ks: 7, stride: 3, pad: 3, rows: 2, maxRows: 2 },
  { name: '2048->3, 2x3, k1 s1 p0', cIn: 2048, cOut: 3, h: 2, w: 3, ks: 1, stride: 1, pad: 0, rows: 1, maxRows: 1 },
  { name: '3->2048, 3x3, k3 s1 p1', cIn: 3, cOut: 2048, h: 3, w: 3, ks: 3, stride: 1, pad: 1, rows: 1, maxRows: 1 },
];
const CASES = inPage(ALL_CASES, ALL_CASES.slice(1, 3));

const shapeOf = (d: ConvGeneralDims) => ({ C_IN: d.cIn, C_OUT: d.cOut, H: d.h, W: d.w, KS: d.ks });
const constantsOf = (d: ConvGeneralDims) => ({ STRIDE: d.stride, PAD: d.pad });

describe('conv2d_general forward: y = act(conv2d(x, w) + bias), any stride and padding', () => {
  for (const c of CASES) {
    // Both pixel layouts at every shape: the one the wrapper picks, then the other (FLAT forced).
    for (const [act, flat] of [['none', undefined], ['none', 'other'], ['relu', undefined], ['sigmoid', undefined]] as const) {
      if (act !== 'none' && c !== CASES[1]) continue;
      const chosen = forwardFlat({ ...shapeOf(c), ...constantsOf(c) });
      const constants = { ...constantsOf(c), ACT: ACTIVATION_CODES[act], ...(flat ? { FLAT: 1 - chosen } : {}) };
      it(`${c.name}, rows ${c.rows} of ${c.maxRows}, ${act}, FLAT ${constants.FLAT ?? chosen}`, async () => {
        const gpu = await testGpu();
        const { x, w, bias, ho, wo } = inputs(c);
        const k = await conv2dGeneralForward.create(gpu, shapeOf(c), { rows: c.maxRows, constants });
        const n = c.maxRows * c.cOut * ho * wo;
        const y = filled(gpu, n);
        const group = k.bind({ x: upload(gpu, x), w: upload(gpu, w), bias: upload(gpu, bias), y });
        await runPass(gpu, (pass) => k.encode(pass, group, oneStep(gpu, c.rows)));
        const expected = forward(x, w, bias, c.rows, c, ACTIVATION_CODES[act]);
        expectPrefix(await readFloats(gpu, y, n), expected, tolerance(c.cIn * c.ks * c.ks), 'y');
      });
    }
  }

  it('more than 65,535 workgroups: a 2-D grid (WG 1, 82k invocations)', async () => {
    const gpu = await testGpu();
    const c: Case = { name: '', cIn: 1, cOut: 64, h: 32, w: 128, ks: 1, stride: 1, pad: 0, rows: 5, maxRows: 5 };
    const { x, w, bias, ho, wo } = inputs(c);
    const k = await conv2dGeneralForward.create(gpu, shapeOf(c), { rows: c.rows, workgroup: 1, constants: constantsOf(c) });
    expect(k.grid[1]).toBeGreaterThan(1);
    const n = c.rows * c.cOut * ho * wo;
    const y = filled(gpu, n);
    const group = k.bind({ x: upload(gpu, x), w: upload(gpu, w), bias: upload(gpu, bias), y });
    await runPass(gpu, (pass) => k.encode(pass, group, oneStep(gpu, c.rows)));
    expectClose(await readFloats(gpu, y, n), forward(x, w, bias, c.rows, c), tolerance(1), 'y');
  });
});

describe('conv2d_general input_grad: dx of any stride and padding', () => {
  for (const c of CASES) {
    it(`${c.name}, rows ${c.rows} of ${c.maxRows}`, async () => {
      const gpu = await testGpu();
      const { w, dy } = inputs(c);
      const k = await conv2dGeneralInputGrad.create(gpu, shapeOf(c), { rows: c.maxRows, constants: constantsOf(c) });
      const n = c.maxRows * c.cIn * c.h * c.w;
      const dx = filled(gpu, n);
      const group = k.bind({ dy: upload(gpu, dy), w: upload(gpu, w), dx });
      await runPass(gpu, (pass) => k.encode(pass, group, oneStep(gpu, c.rows)));
      const expected = inputGrad(dy, w, c.rows, c);
      expectPrefix(await readFloats(gpu, dx, n), expected, tolerance(c.cOut * c.ks * c.ks), 'dx');
    });
  }
});

describe('conv2d_general weight_grad: dw and db summed over the step', () => {
  for (const c of CASES) {
    it(`${c.name}, rows ${c.rows} of ${c.maxRows}`, async () => {
      const gpu = await testGpu();
      const { x, dy, ho, wo } = inputs(c);
      const k = await conv2dGeneralWeightGrad.create(gpu, shapeOf(c), { rows: c.maxRows, constants: constantsOf(c) });
      const dw = filled(gpu, c.cOut * c.cIn * c.ks * c.ks);
      const db = filled(gpu, c.cOut);
      const group = k.bind({ x: upload(gpu, x), dy: upload(gpu, dy), dw, db });
      await runPass(gpu, (pass) => k.encode(pass, group, oneStep(gpu, c.rows)));
      const expected = weightGrad(x, dy, c.rows, c);
      const tol = tolerance(c.rows * ho * wo);
      expectClose(await readFloats(gpu, dw, expected.dw.length), expected.dw, tol, 'dw');
      expectClose(await readFloats(gpu, db, c.cOut), expected.db, tol, 'db');
    });
  }

  it('BIAS 0 leaves db alone', async () => {
    const gpu = await testGpu();
    const c = CASES[0];
    const { x, dy } = inputs(c);
    const k = await conv2dGeneralWeightGrad.create(gpu, shapeOf(c), { rows: c.maxRows, constants: { ...constantsOf(c), BIAS: 0 } });
    const dw = filled(gpu, c.cOut * c.cIn * c.ks * c.ks);
    const db = filled(gpu, c.cOut);
    const group = k.bind({ x: upload(gpu, x), dy: upload(gpu, dy), dw, db });
    await runPass(gpu, (pass) => k.encode(pass, group, oneStep(gpu, c.rows)));
    const expected = weightGrad(x, dy, c.rows, c);
    expectClose(await readFloats(gpu, dw, expected.dw.length), expected.dw, tolerance(1e4), 'dw');
    expect(Array.from(await readFloats(gpu, db, c.cOut))).toEqual(new Array(c.cOut).fill(7));
  });
});

// The twins' gradients against central differences of L = Σ y·g (so dL/dy = g), in f64, on a tiny shape with
// stride 2 and padding: dx, dw and db each within 1e-7 of the difference quotient (h = 1e-4; L is linear in
// each input, so the quotient is exact up to rounding).
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

describe('conv2d_general twins: gradients are the finite differences of the forward', () => {
  const d: ConvGeneralDims = { cIn: 2, cOut: 3, h: 5, w: 6, ks: 3, stride: 2, pad: 1 };
  const rows = 2;
  const rng = new Rng(5);
  const x = Float64Array.from(randomFloats(rng, rows * d.cIn * d.h * d.w));
  const w = Float64Array.from(randomFloats(rng, d.cOut * d.cIn * d.ks * d.ks));
  const bias = Float64Array.from(randomFloats(rng, d.cOut));
  const { ho, wo } = convGeneralOut(d);
  const g = Float64Array.from(randomFloats(rng, rows * d.cOut * ho * wo));
  const loss = (xv: Float64Array, wv: Float64Array, bv: Float64Array) => dot(forward(xv, wv, bv, rows, d, 0, f64), g);
  const h = 1e-4;
  const numeric = (values: Float64Array, at: (v: Float64Array) => number) =>
    values.map((v, i) => {
      const plus = Float64Array.from(values);
      plus[i] = v + h;
      const minus = Float64Array.from(values);
      minus[i] = v - h;
      return (at(plus) - at(minus)) / (2 * h);
    });

  it('dx', () => {
    expectClose(inputGrad(g, w, rows, d, f64), numeric(x, (xv) => loss(xv, w, bias)), { abs: 1e-7 }, 'dx');
  });
  it('dw and db', () => {
    const { dw, db } = weightGrad(x, g, rows, d, f64);
    expectClose(dw, numeric(w, (wv) => loss(x, wv, bias)), { abs: 1e-7 }, 'dw');
    expectClose(db, numeric(bias, (bv) => loss(x, w, bv)), { abs: 1e-7 }, 'db');
  });
});

describe('conv2d_general refuses shapes it cannot run, in one line', () => {
  const base = { C_IN: 3, C_OUT: 4, H: 8, W: 8, KS: 3 };
  for (const [what, shape, constants, message] of [
    ['stride 5', base, { STRIDE: 5 }, /stride 5 is not an integer from 1 to 4/],
    ['padding 6', base, { PAD: 6 }, /padding 6 is not an integer from 0 to 5/],
    ['kernel 12', { ...base, H: 20, W: 20, KS: 12 }, {}, /kernel size 12 is more than 11/],
    ['2049 channels', { ...base, C_OUT: 2049 }, {}, /channels 3 -> 2049: at most 2048 each/],
    ['a kernel past the padded input', { ...base, KS: 11 }, { PAD: 1 }, /kernel 11 is larger than the padded 8x8 input \(padding 1\)/],
  ] as const) {
    it(what, async () => {
      const gpu = await testGpu();
      for (const kernel of [conv2dGeneralForward, conv2dGeneralInputGrad, conv2dGeneralWeightGrad]) {
        expect(await refusal(() => kernel.create(gpu, shape, { constants }))).toMatch(message);
      }
    });
  }
});
