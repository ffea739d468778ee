// The register-tiled shape of the dense contraction template (shaders/linear.wgsl, src/kernels/linear.ts): each
// entry point with each prologue (f32 x, u8 images through the order) and each ACT against the CPU twins, at shapes
// that are multiples of no tile (odd K and N, batch 1 and 257) and at tiles other than the tuned one.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TILED, MLP_TILES, type TiledTile } from '../../src/gpu/tuning.js';
import type { BoundKernel } from '../../src/kernels/kernel.js';
import { tiledLabel } from '../../src/kernels/tiles.js';
import { createLinearForward, createLinearForwardU8, createLinearInputGrad, createLinearWeightGrad, createLinearWeightGradU8, tiledConstants, linearForward as forwardKernel, linearForwardU8 as forwardU8Kernel, linearInputGrad as inputGradKernel, linearWeightGrad as weightGradKernel, linearWeightGradU8 as weightGradU8Kernel } from '../../src/kernels/linear.js';
import { dropoutConstants } from '../../src/kernels/dropout_mask.js';
import { linearForward } from '../../src/reference/linear_forward.js';
import { linearForwardU8 } from '../../src/reference/linear_forward_u8.js';
import { linearInputGrad } from '../../src/reference/linear_input_grad.js';
import { linearWeightGrad } from '../../src/reference/linear_weight_grad.js';
import { linearWeightGradU8 } from '../../src/reference/linear_weight_grad_u8.js';
import { Rng } from '../../src/random.js';
import { StepSlots } from '../../src/train/steps.js';
import { expectClose, IN_PAGE, inPage, oneStep, randomFloats, randomLabels, randomPixels, readFloats, readUints, refusal, runPass, testGpu, upload, zeros } from './harness.js';
import { ACT_NAMES, epilogueOf, FORWARD_TOL, hiddenOf, INPUT_GRAD_TOL, WEIGHT_GRAD_TOL } from './linear_cases.js';

// Shapes that are multiples of no tile (TR 8 x TC 4 by default; 3 x 5 below).
const ROWS = [1, 7, 255, 257];

async function forward(rows: number, K: number, N: number, constants: Record<string, number>, seed: number, step = oneStep) {
  const gpu = await testGpu();
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: rows * K }, () => rng.uniform());
  const w = randomFloats(rng, K * N, 0.1);
  const b = randomFloats(rng, N, 0.5);
  const kernel = await forwardKernel.create(gpu, { K, N }, { rows, constants });
  const out = zeros(gpu, rows * N);
  const group = kernel.bind({ x: upload(gpu, x), w: upload(gpu, w), b: upload(gpu, b), out });
  await runPass(gpu, (pass) => kernel.encode(pass, group, step(gpu, rows)));
  return { x, w, b, out: await readFloats(gpu, out, rows * N) };
}

describe('linear:forward, f32 x: out = act(x·W + b)', () => {
  for (const K of [784, 13]) for (const N of inPage([10, 256, 3], [10, 3])) for (const rows of inPage(ROWS, [7, 257])) {
    it(`rows ${rows}, K ${K}, N ${N}, ReLU`, async () => {
      const { x, w, b, out } = await forward(rows, K, N, { ACT: 2 }, rows * 7 + K + N);
      expectClose(out, linearForward(x, w, b, rows, K, N, { relu: true }), FORWARD_TOL, 'out');
    });
  }
  // LeNet's dense layers: the sigmoid fused, 1 / (1 + e^-v) as the conv kernels compute it.
  for (const [K, N] of [[400, 120], [120, 84], [13, 3]]) {
    it(`rows 257, K ${K}, N ${N}, sigmoid`, async () => {
      const { x, w, b, out } = await forward(257, K, N, { ACT: 1 }, K + N);
      expectClose(out, linearForward(x, w, b, 257, K, N, { relu: false, sigmoid: true }), FORWARD_TOL, 'out');
    });
  }
  for (const [TR, TC] of inPage([[3, 5], [1, 1], [16, 2]], [[3, 5]])) {
    it(`tile ${TR} x ${TC}, rows 257, K 784, N 10, no activation`, async () => {
      const { x, w, b, out } = await forward(257, 784, 10, { TR, TC, ACT: 0 }, TR * 100 + TC);
      expectClose(out, linearForward(x, w, b, 257, 784, 10), FORWARD_TOL, 'out');
    });
  }
  it('dropout p 0.5 in step 2 of epoch 5: the CPU twin drops exactly the same elements', async () => {
    const [rows, K, N] = [257, 13, 256];
    const mask = dropoutConstants(0.5, 42, 0);
    const gpu = await testGpu();
    const slots = StepSlots.create(gpu.device, [{ row0: 0, rows }, { row0: 0, rows }, { row0: 0, rows }]);
    slots.setEpoch(gpu.device.queue, 5);
    const { x, w, b, out } = await forward(rows, K, N, { ACT: 0, ...mask }, 9, () => slots.groups[2]);
    const want = linearForward(x, w, b, rows, K, N, { relu: false, dropout: { mask, step: { epoch: 5, index: 2 } } });
    expectClose(out, want, FORWARD_TOL, 'out');
    // Without an activation a zero is a dropped element: the masks agree element for element.
    expect(out.map((v) => (v === 0 ? 1 : 0))).toEqual(want.map((v) => (v === 0 ? 1 : 0)));
    const dropped = want.filter((v) => v === 0).length / want.length;
    expect(Math.abs(dropped - 0.5)).toBeLessThan(0.01); // 65,792 Bernoulli(0.5) draws: sd 0.002
    // Another step of the same epoch draws another mask.
    const other = linearForward(x, w, b, rows, K, N, { relu: false, dropout: { mask, step: { epoch: 5, index: 1 } } });
    const same = other.filter((v, i) => (v === 0) === (want[i] === 0)).length / want.length;
    expect(same).toBeLessThan(0.55);
  });
  it('refuses an ACT code outside ACTIVATION_CODES', async () => {
    const gpu = await testGpu();
    expect(await refusal(() => forwardKernel.create(gpu, { K: 13, N: 3 }, { constants: { ACT: 3 } }))).toMatch(/ACT must be one of ACTIVATION_CODES/);
  });
});

async function forwardU8(rows: number, K: number, N: number, constants: Record<string, number>, seed: number, row0 = 5) {
  const gpu = await testGpu();
  const rng = new Rng(seed);
  const count = rows + row0 + 4;
  const images = randomPixels(rng, count * K);
  const labels = randomLabels(rng, count, 10);
  const order = rng.permutation(count);
  const w = randomFloats(rng, K * N, 0.1);
  const b = randomFloats(rng, N, 0.5);
  const kernel = await forwardU8Kernel.create(gpu, { K, N }, { rows, constants });
  const out = zeros(gpu, rows * N);
  const y = upload(gpu, new Uint32Array(rows).fill(99));
  const group = kernel.bind({ images: upload(gpu, images), labels: upload(gpu, labels), order: upload(gpu, order), w: upload(gpu, w), b: upload(gpu, b), out, y });
  await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows, row0)));
  return { images, labels, order, w, b, out: await readFloats(gpu, out, rows * N), y: await readUints(gpu, y, rows) };
}

describe('linear:forward, u8 images: out = act(images[order] / 255 · W + b), y = labels[order]', () => {
  // K: 784 and 12 (the dataset packs 4 pixels per word, so K is a multiple of 4; 12 is a multiple of no tile).
  for (const K of [784, 12]) for (const N of inPage([10, 256, 3], [10, 3])) for (const rows of inPage(ROWS, [7, 257])) {
    const act = (rows + N) % 3; // every ACT over the cases
    it(`rows ${rows}, K ${K}, N ${N}, ${ACT_NAMES[act]}, from position 5 of a shuffled order`, async () => {
      const r = await forwardU8(rows, K, N, { ACT: act }, rows * 11 + K + N);
      const want = linearForwardU8(r.images, r.labels, r.order, 5, rows, r.w, r.b, K, N, epilogueOf(act));
      expectClose(r.out, want.out, FORWARD_TOL, 'out');
      expect(r.y).toEqual(want.y);
    });
  }
  it('tile 3 x 5 with dropout p 0.2: the same elements dropped as the CPU twin', async () => {
    const [rows, K, N] = IN_PAGE ? [255, 784, 20] : [255, 784, 256];
    const mask = dropoutConstants(0.2, 7, 1);
    const r = await forwardU8(rows, K, N, { ACT: 0, TR: 3, TC: 5, ...mask }, 5, 0);
    const want = linearForwardU8(r.images, r.labels, r.order, 0, rows, r.w, r.b, K, N, { relu: false, dropout: { mask, step: { epoch: 0, index: 0 } } }).out;
    expectClose(r.out, want, FORWARD_TOL, 'out');
    expect(r.out.map((v) => (v === 0 ? 1 : 0))).toEqual(want.map((v) => (v === 0 ? 1 : 0)));
  });
  it('refuses K that is not a multiple of 4', async () => {
    const gpu = await testGpu();
    expect(await refusal(() => forwardU8Kernel.create(gpu, { K: 13, N: 3 }))).toMatch(/K must be a multiple of 4/);
  });
});

async function inputGrad(rows: number, K: number, N: number, constants: Record<string, number>, seed: number) {
  const gpu = await testGpu();
  const rng = new Rng(seed);
  const dy = randomFloats(rng, rows * N, 0.01);
  const w = randomFloats(rng, K * N, 0.1);
  const h = hiddenOf(rng, rows * K, constants.ACT ?? 0);
  const kernel = await inputGradKernel.create(gpu, { K, N }, { rows, constants });
  const dx = zeros(gpu, rows * K);
  const group = kernel.bind({ dy: upload(gpu, dy), w: upload(gpu, w), h: upload(gpu, h), dx });
  await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
  return { dy, w, h, dx: await readFloats(gpu, dx, rows * K) };
}

describe("linear:input_grad: dx = (dy·Wᵀ) ⊙ act'(h) ⊙ dropout mask", () => {
  for (const K of [784, 13]) for (const N of inPage([10, 256, 3], [10, 3])) for (const rows of inPage(ROWS, [7, 257])) {
    it(`rows ${rows}, K ${K}, N ${N}, ReLU mask`, async () => {
      const { dy, w, h, dx } = await inputGrad(rows, K, N, { ACT: 2 }, rows + K * 3 + N);
      expectClose(dx, linearInputGrad(dy, w, h, rows, K, N), INPUT_GRAD_TOL, 'dx');
    });
  }
  it('no activation, tile 5 x 3, rows 257, K 256, N 10', async () => {
    const { dy, w, h, dx } = await inputGrad(257, 256, 10, { ACT: 0, TR: 5, TC: 3 }, 1);
    expectClose(dx, linearInputGrad(dy, w, h, 257, 256, 10, { reluMask: false }), INPUT_GRAD_TOL, 'dx');
  });
  for (const [rows, K, N, TR, TC] of [[257, 120, 84, 8, 4], [7, 13, 10, 5, 3], [256, 84, 10, 8, 4], [1, 13, 3, 8, 4]]) {
    it(`sigmoid slope h(1 - h), rows ${rows}, K ${K}, N ${N}, tile ${TR} x ${TC}`, async () => {
      const { dy, w, h, dx } = await inputGrad(rows, K, N, { ACT: 1, TR, TC }, rows + K);
      expectClose(dx, linearInputGrad(dy, w, h, rows, K, N, { reluMask: false, sigmoidSlope: true }), INPUT_GRAD_TOL, 'dx');
    });
  }
  it('ReLU and dropout p 0.5 masks: zero exactly where the CPU twin is zero', async () => {
    const mask = dropoutConstants(0.5, 3, 0);
    const { dy, w, h, dx } = await inputGrad(255, 256, 10, { ACT: 2, ...mask }, 2);
    const want = linearInputGrad(dy, w, h, 255, 256, 10, { reluMask: true, dropout: { mask, step: { epoch: 0, index: 0 } } });
    expectClose(dx, want, INPUT_GRAD_TOL, 'dx');
    expect(dx.map((v) => (v === 0 ? 1 : 0))).toEqual(want.map((v) => (v === 0 ? 1 : 0)));
  });
});

describe('linear:weight_grad, f32 x: dW = xᵀ·dy', () => {
  const cases: Array<[number, number, number, Record<string, number>]> = [];
  for (const K of [784, 13]) for (const N of inPage([10, 256, 3], [10, 3])) for (const rows of inPage(ROWS, [7, 257])) cases.push([rows, K, N, {}]);
  if (!IN_PAGE) cases.push([257, 784, 10, { TR: 3, TC: 5 }], [255, 13, 256, { TR: 16, TC: 2 }], [7, 784, 3, { TR: 1, TC: 1 }]);
  for (const [rows, K, N, constants] of cases) {
    it(`rows ${rows}, K ${K}, N ${N}${Object.keys(constants).length ? `, tile ${constants.TR} x ${constants.TC}` : ''}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 5 + K + N);
      const x = Float32Array.from({ length: rows * K }, () => rng.uniform());
      const dy = randomFloats(rng, rows * N, 1 / rows);
      const kernel = await weightGradKernel.create(gpu, { K, N }, { rows, constants });
      const dw = zeros(gpu, K * N);
      const group = kernel.bind({ x: upload(gpu, x), dy: upload(gpu, dy), dw });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
      expectClose(await readFloats(gpu, dw, K * N), linearWeightGrad(x, dy, rows, K, N), WEIGHT_GRAD_TOL, 'dW');
    });
  }
});

describe('linear:weight_grad, u8 images: dW = (images[order] / 255)ᵀ·dy', () => {
  const cases: Array<[number, number, number, Record<string, number>]> = [];
  for (const K of [784, 12]) for (const N of inPage([10, 256, 3], [10, 3])) for (const rows of inPage(ROWS, [7, 257])) cases.push([rows, K, N, {}]);
  if (!IN_PAGE) cases.push([257, 784, 10, { TR: 3, TC: 5 }], [255, 12, 256, { TR: 4, TC: 2 }], [7, 784, 3, { TR: 1, TC: 1 }]);
  for (const [rows, K, N, constants] of cases) {
    it(`rows ${rows}, K ${K}, N ${N}${Object.keys(constants).length ? `, tile ${constants.TR} words x ${constants.TC}` : ''}, from position 3 of a shuffle`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 13 + K + N);
      const count = rows + 4;
      const images = randomPixels(rng, count * K);
      const order = rng.permutation(count);
      const dy = randomFloats(rng, rows * N, 1 / rows);
      const kernel = await weightGradU8Kernel.create(gpu, { K, N }, { rows, constants });
      const dw = zeros(gpu, K * N);
      const group = kernel.bind({ images: upload(gpu, images), order: upload(gpu, order), dy: upload(gpu, dy), dw });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows, 3)));
      expectClose(await readFloats(gpu, dw, K * N), linearWeightGradU8(images, order, 3, rows, dy, K, N), WEIGHT_GRAD_TOL, 'dW');
    });
  }
  it('refuses a tile of more than 16 rows of dW (TR 5 words)', async () => {
    const gpu = await testGpu();
    expect(await refusal(() => weightGradU8Kernel.create(gpu, { K: 12, N: 3 }, { constants: { TR: 5 } }))).toMatch(/TR must be 1 to 4, not 5/);
  });
});

describe('the activation is ACT alone', () => {
  // The switches the dense kernels had before ACT (RELU, SIGMOID, RELU_MASK, SIGMOID_SLOPE) are no overrides of
  // the shaders: a caller still passing one is refused at creation, not run without its activation.
  for (const name of ['RELU', 'SIGMOID_SLOPE']) {
    it(`refuses ${name}, a name from before ACT`, async () => {
      const gpu = await testGpu();
      expect(await refusal(() => createLinearForward(gpu, { K: 12, N: 3 }, 4, { [name]: 1 }, { variant: 'generic' }))).toMatch(new RegExp(name));
    });
  }
});

// The workgroup-memory shape, forced (the adapter's choice only on GPUs: gpu/tuning.ts MLP_TILES.workgroupMemory),
// at its default tile (DEFAULT_TILED: 32 x 32 outputs, 16-deep slices, 4 x 4 per invocation) with edges at every
// side (K 13 and 784, N 3, 10 and 40, batch 1 and 257), and at other tiles (MlpTiles.tiled: 64 x 64 x 8; 8 x 4 and
// 4 x 8 register blocks; a 5-deep slice) at shapes that are multiples of none of them (rows 257 and 7, K 100 and 13,
// N 70 and 130).
const TILED_CASES: Array<{ tile: TiledTile; shapes: Array<[number, number, number]>; u8Shapes: Array<[number, number, number]> }> = [
  { tile: DEFAULT_TILED, shapes: inPage([[1, 13, 3], [257, 784, 10], [7, 40, 40], [257, 13, 256]], [[1, 13, 3], [257, 784, 10]]), u8Shapes: inPage([[1, 12, 3], [257, 784, 10], [7, 48, 40]], [[1, 12, 3], [257, 784, 10]]) },
  { tile: { rows: 64, cols: 64, depth: 8, blockRows: 4, blockCols: 4 }, shapes: inPage([[257, 100, 70], [7, 13, 130]], [[257, 100, 70]]), u8Shapes: [[257, 100, 70]] },
  { tile: { rows: 16, cols: 32, depth: 5, blockRows: 8, blockCols: 4 }, shapes: inPage([[257, 100, 70], [7, 13, 130]], [[257, 100, 70]]), u8Shapes: inPage([[7, 100, 130]], []) },
  { tile: { rows: 32, cols: 16, depth: 16, blockRows: 4, blockCols: 8 }, shapes: inPage([[257, 100, 70]], []), u8Shapes: [] },
];
for (const { tile, shapes, u8Shapes } of TILED_CASES.filter((c) => c.shapes.length + c.u8Shapes.length > 0)) {
describe(`linear:*_tiled, the workgroup-memory shape, tile ${tiledLabel(tile)}, against the same twins`, () => {
  const choice = { variant: 'tiled', tiles: { ...MLP_TILES.gpu, tiled: tile } } as const;
  // The kernel was made with the tile, and its grid covers the product [rows, cols] in tiles of it.
  const expectTile = (kernel: BoundKernel<string>, rows: number, cols: number) => {
    expect(kernel.constants).toMatchObject(tiledConstants(tile));
    expect(kernel.grid).toEqual([Math.ceil(cols / tile.cols), Math.ceil(rows / tile.rows), 1]);
  };
  for (const [rows, K, N] of shapes) {
    const act = (rows + K + N) % 3;
    it(`forward, f32 x: rows ${rows}, K ${K}, N ${N}, ${ACT_NAMES[act]}${rows === 257 ? ', dropout p 0.5' : ''}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 37 + K + N);
      const x = Float32Array.from({ length: rows * K }, () => rng.uniform());
      const w = randomFloats(rng, K * N, 0.1);
      const b = randomFloats(rng, N, 0.5);
      const mask = rows === 257 ? dropoutConstants(0.5, 8, 2) : null;
      const kernel = await createLinearForward(gpu, { K, N }, rows, { ACT: act, ...mask }, choice);
      expect(kernel.kernel.name).toBe('linear');
      expectTile(kernel, rows, N);
      const out = zeros(gpu, rows * N);
      const group = kernel.bind({ x: upload(gpu, x), w: upload(gpu, w), b: upload(gpu, b), out });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
      const want = linearForward(x, w, b, rows, K, N, { ...epilogueOf(act), dropout: mask ? { mask, step: { epoch: 0, index: 0 } } : undefined });
      expectClose(await readFloats(gpu, out, rows * N), want, FORWARD_TOL, 'out');
    });
    it(`input_grad: rows ${rows}, K ${K}, N ${N}, slope of ${ACT_NAMES[act]}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 41 + K + N);
      const dy = randomFloats(rng, rows * N, 0.01);
      const w = randomFloats(rng, K * N, 0.1);
      const h = hiddenOf(rng, rows * K, act);
      const kernel = await createLinearInputGrad(gpu, { K, N }, rows, { ACT: act }, choice);
      expectTile(kernel, rows, K);
      const dx = zeros(gpu, rows * K);
      const group = kernel.bind({ dy: upload(gpu, dy), w: upload(gpu, w), h: upload(gpu, h), dx });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
      expectClose(await readFloats(gpu, dx, rows * K), linearInputGrad(dy, w, h, rows, K, N, { reluMask: act === 2, sigmoidSlope: act === 1 }), INPUT_GRAD_TOL, 'dx');
    });
    it(`weight_grad, f32 x: rows ${rows}, K ${K}, N ${N}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 43 + K + N);
      const x = Float32Array.from({ length: rows * K }, () => rng.uniform());
      const dy = randomFloats(rng, rows * N, 1 / rows);
      const kernel = await createLinearWeightGrad(gpu, { K, N }, rows, choice);
      expectTile(kernel, K, N);
      const dw = zeros(gpu, K * N);
      const group = kernel.bind({ x: upload(gpu, x), dy: upload(gpu, dy), dw });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
      expectClose(await readFloats(gpu, dw, K * N), linearWeightGrad(x, dy, rows, K, N), WEIGHT_GRAD_TOL, 'dW');
    });
  }
  for (const [rows, K, N] of u8Shapes) {
    const act = (rows + N) % 3;
    it(`forward, u8 images: rows ${rows}, K ${K}, N ${N}, ${ACT_NAMES[act]}, from position 5 of a shuffle`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 47 + K + N);
      const count = rows + 9;
      const images = randomPixels(rng, count * K);
      const labels = randomLabels(rng, count, 10);
      const order = rng.permutation(count);
      const w = randomFloats(rng, K * N, 0.1);
      const b = randomFloats(rng, N, 0.5);
      const kernel = await createLinearForwardU8(gpu, { K, N }, rows, { ACT: act }, choice);
      expectTile(kernel, rows, N);
      const out = zeros(gpu, rows * N);
      const y = upload(gpu, new Uint32Array(rows).fill(99));
      const group = kernel.bind({ images: upload(gpu, images), labels: upload(gpu, labels), order: upload(gpu, order), w: upload(gpu, w), b: upload(gpu, b), out, y });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows, 5)));
      const want = linearForwardU8(images, labels, order, 5, rows, w, b, K, N, epilogueOf(act));
      expectClose(await readFloats(gpu, out, rows * N), want.out, FORWARD_TOL, 'out');
      expect(await readUints(gpu, y, rows)).toEqual(want.y);
    });
    it(`weight_grad, u8 images: rows ${rows}, K ${K}, N ${N}, from position 3 of a shuffle`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 53 + K + N);
      const count = rows + 4;
      const images = randomPixels(rng, count * K);
      const order = rng.permutation(count);
      const dy = randomFloats(rng, rows * N, 1 / rows);
      const kernel = await createLinearWeightGradU8(gpu, { K, N }, rows, choice);
      expectTile(kernel, K, N);
      const dw = zeros(gpu, K * N);
      const group = kernel.bind({ images: upload(gpu, images), order: upload(gpu, order), dy: upload(gpu, dy), dw });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows, 3)));
      expectClose(await readFloats(gpu, dw, K * N), linearWeightGradU8(images, order, 3, rows, dy, K, N), WEIGHT_GRAD_TOL, 'dW');
    });
  }
});
}

describe('linear:*_tiled: a tile the shader cannot take, or the adapter cannot run, is refused in one line', () => {
  const tiles = (tiled: TiledTile) => ({ variant: 'tiled', tiles: { ...MLP_TILES.gpu, tiled } }) as const;
  it('a register block other than 4 or 8, or an output tile that is not a multiple of it', async () => {
    const gpu = await testGpu();
    const three = await refusal(() => createLinearForward(gpu, { K: 12, N: 3 }, 4, {}, tiles({ rows: 24, cols: 24, depth: 8, blockRows: 3, blockCols: 4 })));
    expect(three).toBe('linear: the workgroup-memory tile\'s register block must be 4 or 8 rows by 4 or 8 columns (its vec4s, MAX_T4), not 3x4');
    expect(await refusal(() => createLinearWeightGrad(gpu, { K: 12, N: 3 }, 4, tiles({ rows: 36, cols: 32, depth: 8, blockRows: 8, blockCols: 4 })))).toMatch(/^linear: the workgroup-memory tile 36x32x8 \(8x4 per invocation\): rows must be a multiple of blockRows/);
  });
  it('more invocations or workgroup memory than the adapter allows: says which limit, and what to do', async () => {
    const gpu = await testGpu();
    const { maxComputeInvocationsPerWorkgroup: most, maxComputeWorkgroupStorageSize: bytes } = gpu.device.limits;
    // 4 x 4 blocks: rows / 4 x 16 invocations, one more row of them than the limit allows.
    const wide = { rows: 4 * (Math.floor(most / 16) + 1), cols: 64, depth: 1, blockRows: 4, blockCols: 4 };
    const many = await refusal(() => createLinearInputGrad(gpu, { K: 12, N: 3 }, 4, {}, tiles(wide)));
    expect(many).toMatch(new RegExp(`^linear: the workgroup-memory tile ${wide.rows}x64x1 needs ${(wide.rows / 4) * 16} invocations per workgroup, more than this adapter's maxComputeInvocationsPerWorkgroup / maxComputeWorkgroupSizeX \\(\\d+\\) allows: choose a smaller tile \\(Tuning.dense.tiled; gpu/tuning.ts MLP_TILES\\)$`));
    // 8 x 8 blocks, 64 x 64 outputs (64 invocations), slices deep enough to pass the limit by 512 bytes.
    const deep = { rows: 64, cols: 64, depth: bytes / 512 + 1, blockRows: 8, blockCols: 8 };
    const big = await refusal(() => createLinearForward(gpu, { K: 12, N: 3 }, 4, {}, tiles(deep)));
    expect(big).toBe(`linear: the workgroup-memory tile 64x64x${deep.depth} (8x8 per invocation) needs ${bytes + 512} bytes of workgroup memory, more than this adapter's maxComputeWorkgroupStorageSize (${bytes}): choose a smaller tile (Tuning.dense.tiled; gpu/tuning.ts MLP_TILES)`);
    expect(big.includes('\n') || many.includes('\n')).toBe(false);
  });
});
