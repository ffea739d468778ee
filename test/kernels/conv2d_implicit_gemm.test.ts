import { describe, expect, it } from 'vitest';
import { ACTIVATION_CODES } from '../../src/kernels/conv2d_shape.js';
import { type ConvGemmKernels, convFlop, convGemmProduct, convGemmProductTiled, createConvGemm, forwardGeometry, type GemmShapeChoice, implicitGemmParts } from '../../src/kernels/conv2d_implicit_gemm.js';
import { subgroupSize } from '../../src/kernels/subgroups.js';
import { MLP_TILES, type MlpTiles, mlpTilesFor, type TiledTile } from '../../src/gpu/tuning.js';
import { convGeneralOutput } from '../../src/kernels/conv2d_general.js';
import { tiledConstants } from '../../src/kernels/linear.js';
import { tiledLabel } from '../../src/kernels/tiles.js';
import { biasGradPlanes as biasGradTwin } from '../../src/reference/bias_grad.js';
import { type ConvGeneralDims, conv2dGeneralForward as forward, conv2dGeneralInputGrad as inputGrad, conv2dGeneralWeightGrad as weightGrad } from '../../src/reference/conv2d_general.js';
import { expectPrefix, filled, type GeneralCase, inputs, tolerance } from './conv_general_cases.js';
import { expectClose, inPage, oneStep, readFloats, refusal, runPass, testGpu, upload } from './harness.js';

type Case = GeneralCase;

// The template's convolutions need the product's output channels in fours (C_OUT forward, C_IN for the input
// gradient); otherwise awkward: K = C_IN·KS² not a multiple of 4 (1->8 k5: 25, the packed weights' zero tail), odd
// and non-square sizes, batch 1, steps shorter than the kernel's rows, stride 2 with padding, stride 4 with an 11x11
// kernel, 1x1 kernels (stride 1 and a stride-2 shortcut), padding wider than the kernel, stride 3, 3 input channels
// (no input gradient: 3 is not a multiple of 4).
const ALL_CASES: Case[] = [
  { name: '1->8, 28x28, k5 s1 p2', cIn: 1, cOut: 8, h: 28, w: 28, ks: 5, stride: 1, pad: 2, rows: 3, maxRows: 5 },
  { name: '4->8, 13x11, k3 s2 p1', cIn: 4, cOut: 8, h: 13, w: 11, ks: 3, stride: 2, pad: 1, rows: 2, maxRows: 2 },
  { name: '4->4, 23x23, k11 s4 p2', cIn: 4, cOut: 4, h: 23, w: 23, ks: 11, stride: 4, pad: 2, rows: 1, maxRows: 3 },
  { name: '12->16, 7x9, k1 s1 p0', cIn: 12, cOut: 16, h: 7, w: 9, ks: 1, stride: 1, pad: 0, rows: 2, maxRows: 2 },
  { name: '8->4, 10x10, k1 s2 p0', cIn: 8, cOut: 4, h: 10, w: 10, ks: 1, stride: 2, pad: 0, rows: 1, maxRows: 1 },
  { name: '4->12, 6x7, k2 s4 p5', cIn: 4, cOut: 12, h: 6, w: 7, ks: 2, stride: 4, pad: 5, rows: 2, maxRows: 4 },
  { name: '8->8, 14x17, k7 s3 p3', cIn: 8, cOut: 8, h: 14, w: 17, ks: 7, stride: 3, pad: 3, rows: 2, maxRows: 2 },
  { name: '3->64, 9x9, k3 s1 p1', cIn: 3, cOut: 64, h: 9, w: 9, ks: 3, stride: 1, pad: 1, rows: 2, maxRows: 3 },
];
const CASES = inPage(ALL_CASES, ALL_CASES.slice(1, 3));

const dimsOf = (c: ConvGeneralDims) => ({ C_IN: c.cIn, C_OUT: c.cOut, H: c.h, W: c.w, KS: c.ks, STRIDE: c.stride, PAD: c.pad });

const noSubgroups = !(await testGpu().then((gpu) => subgroupSize(gpu) !== null));

/**
 * Every part of case `c` in `shape` (with `tiles`, default the adapter's table) against the conv2d_general twins:
 * the forward with ReLU, dW and db, and dx where C_IN % 4 == 0; returns the kernels.
 */
async function checkAllParts(c: Case, shape: GemmShapeChoice, tiles?: MlpTiles): Promise<ConvGemmKernels> {
  const gpu = await testGpu();
  const d = dimsOf(c);
  const k = await createConvGemm(gpu, d, c.maxRows, { act: ACTIVATION_CODES.relu, training: true, inputGrad: c.cIn % 4 === 0, shape, tiles });
  expect('SG' in k.forward.constants, 'the subgroup shape has a subgroup size').toBe(shape === 'subgroup');
  expect(k.inputGrad !== null).toBe(c.cIn % 4 === 0);
  const { x, w, bias, dy, ho, wo } = inputs(c);
  const [xb, wb, dyb] = [upload(gpu, x), upload(gpu, w), upload(gpu, dy)];
  const packed = gpu.device.createBuffer({ size: k.packBytes.forward, usage: GPUBufferUsage.STORAGE });
  const packedT = gpu.device.createBuffer({ size: Math.max(16, k.packBytes.inputGrad), usage: GPUBufferUsage.STORAGE });
  const y = filled(gpu, c.maxRows * c.cOut * ho * wo);
  const dx = filled(gpu, c.maxRows * c.cIn * c.h * c.w);
  const dw = filled(gpu, w.length);
  const db = filled(gpu, c.cOut);
  const step = oneStep(gpu, c.rows);
  await runPass(gpu, (pass) => {
    k.forwardPack.encode(pass, k.forwardPack.bind({ w: wb, packed }), step);
    k.forward.encode(pass, k.forward.bind({ x: xb, w: packed, b: upload(gpu, bias), out: y }), step);
    k.weightGrad?.encode(pass, k.weightGrad.bind({ x: xb, dy: dyb, dw }), step);
    k.biasGrad?.encode(pass, k.biasGrad.bind({ dlogits: dyb, db }), step);
    if (k.inputGrad && k.inputGradPack) {
      k.inputGradPack.encode(pass, k.inputGradPack.bind({ w: wb, packed: packedT }), step);
      k.inputGrad.encode(pass, k.inputGrad.bind({ x: dyb, w: packedT, b: upload(gpu, new Float32Array(c.cIn)), out: dx }), step);
    }
  });
  expectPrefix(await readFloats(gpu, y, c.maxRows * c.cOut * ho * wo), forward(x, w, bias, c.rows, c, ACTIVATION_CODES.relu), tolerance(c.cIn * c.ks * c.ks), 'y');
  const expected = weightGrad(x, dy, c.rows, c);
  const tol = tolerance(c.rows * ho * wo);
  expectClose(await readFloats(gpu, dw, w.length), expected.dw, tol, 'dw');
  expectClose(await readFloats(gpu, db, c.cOut), expected.db, tol, 'db');
  expectClose(biasGradTwin(dy, c.rows, c.cOut, ho * wo), expected.db, { abs: 1e-12 }, 'bias_grad planes twin');
  if (k.inputGrad) expectPrefix(await readFloats(gpu, dx, c.maxRows * c.cIn * c.h * c.w), inputGrad(dy, w, c.rows, c), tolerance(c.cOut * c.ks * c.ks), 'dx');
  return k;
}

// Both shapes of the template: workgroup-memory tiles (what GPUs take; it runs anywhere) and subgroup shuffles
// (where the adapter has one subgroup size).
for (const shape of ['tiled', 'subgroup'] as const) {
describe.skipIf(shape === 'subgroup' && noSubgroups)(`conv2d as implicit GEMM through the contraction template, ${shape} shape: every part against conv2d_general twins`, () => {
  for (const c of CASES) {
    it(`${c.name}, rows ${c.rows} of ${c.maxRows}: forward (ReLU), dx, dw and db`, async () => {
      await checkAllParts(c, shape);
    });
  }

  it('more than 65,535 row groups: the grid goes on in z', async () => {
    const gpu = await testGpu();
    const c: Case = { name: '', cIn: 1, cOut: 4, h: 400, w: 400, ks: 1, stride: 1, pad: 0, rows: 14, maxRows: 14 };
    const d = dimsOf(c);
    const k = await createConvGemm(gpu, d, c.maxRows, { training: false, inputGrad: false, shape });
    expect(k.forward.grid[2]).toBeGreaterThan(1);
    const { x, w, bias, ho, wo } = inputs(c);
    const packed = gpu.device.createBuffer({ size: k.packBytes.forward, usage: GPUBufferUsage.STORAGE });
    const n = c.rows * c.cOut * ho * wo;
    const y = filled(gpu, n);
    const step = oneStep(gpu, c.rows);
    await runPass(gpu, (pass) => {
      k.forwardPack.encode(pass, k.forwardPack.bind({ w: upload(gpu, w), packed }), step);
      k.forward.encode(pass, k.forward.bind({ x: upload(gpu, x), w: packed, b: upload(gpu, bias), out: y }), step);
    });
    expectClose(await readFloats(gpu, y, n), forward(x, w, bias, c.rows, c), tolerance(1), 'y');
  });

});
}

// The workgroup-memory shape at tiles other than the default (the tuning's MlpTiles.tiled): K 25 and 392, 8 channels
// (fewer than a tile's columns), 3,920 and 60 pixel rows (the forward's; 476 for 8->8's input gradient): multiples
// of none of the tiles' sides or depths.
const OTHER_TILES: TiledTile[] = [
  { rows: 64, cols: 64, depth: 8, blockRows: 4, blockCols: 4 },
  { rows: 16, cols: 32, depth: 5, blockRows: 8, blockCols: 4 },
];
describe('conv2d as implicit GEMM, workgroup-memory shape, at other tiles: every part against conv2d_general twins', () => {
  for (const tile of OTHER_TILES) {
    for (const c of inPage([ALL_CASES[0], ALL_CASES[6]], [ALL_CASES[6]])) {
      it(`tile ${tiledLabel(tile)}: ${c.name}, rows ${c.rows} of ${c.maxRows}`, async () => {
        const k = await checkAllParts(c, 'tiled', { ...MLP_TILES.gpu, tiled: tile });
        // Every tiled product in the tile, its grid over the tile: N by BN, the pixel rows by BM (dW: K by BM).
        const { ho, wo } = convGeneralOutput(dimsOf(c));
        for (const kernel of [k.forward, k.weightGrad!, ...(k.inputGrad ? [k.inputGrad] : [])]) expect(kernel.constants).toMatchObject(tiledConstants(tile));
        expect(k.forward.grid).toEqual([Math.ceil(c.cOut / tile.cols), Math.ceil((c.maxRows * ho * wo) / tile.rows), 1]);
        expect(k.weightGrad!.grid).toEqual([Math.ceil(c.cOut / tile.cols), Math.ceil((c.cIn * c.ks * c.ks) / tile.rows), 1]);
      });
    }
  }
});

describe('conv2d as implicit GEMM: which convolutions, in which shape', () => {
  it('refuses a product whose output channels are not a multiple of 4, in one line', async () => {
    const gpu = await testGpu();
    const g = forwardGeometry(dimsOf({ cIn: 4, cOut: 10, h: 8, w: 8, ks: 3, stride: 1, pad: 1 }));
    expect(await refusal(() => convGemmProduct.create(gpu, g.shape, { constants: { ...g.constants, SG: subgroupSize(gpu) ?? 8 } }))).toMatch(/10 output channels must be a multiple of 4/);
    expect(await refusal(() => convGemmProductTiled.create(gpu, g.shape, { constants: g.constants }))).toMatch(/10 output channels must be a multiple of 4/);
    expect(implicitGemmParts(gpu, dimsOf({ cIn: 4, cOut: 10, h: 8, w: 8, ks: 3, stride: 1, pad: 1 }), 8, 0)).toBeNull();
  });
  it('takes a convolution from the smallest size worth its compiling (gpu/tuning.ts), the input gradient where C_IN % 4 == 0', async () => {
    const gpu = await testGpu();
    const d = dimsOf({ cIn: 64, cOut: 64, h: 7, w: 7, ks: 3, stride: 1, pad: 1 });
    const tiles = mlpTilesFor(gpu.adapterInfo);
    const shape = tiles.workgroupMemory ? 'tiled' : subgroupSize(gpu) !== null ? 'subgroup' : null;
    expect(convFlop(d, 256)).toBe(2 * 256 * 49 * 576 * 64);
    expect(implicitGemmParts(gpu, d, 256)).toEqual(shape && { inputGrad: true, shape });
    expect(implicitGemmParts(gpu, d, 1)).toBeNull();
    expect(implicitGemmParts(gpu, d, 1, convFlop(d, 1))).toEqual(shape && { inputGrad: true, shape });
    expect(implicitGemmParts(gpu, { ...d, C_IN: 3 }, 256)).toEqual(shape && { inputGrad: false, shape });
    // Neither shape: createConvGemm refuses in one line.
    const neither = { ...tiles, workgroupMemory: false, subgroups: { ...tiles.subgroups, enabled: false } };
    expect(implicitGemmParts(gpu, d, 256, undefined, neither)).toBeNull();
    expect(await refusal(() => createConvGemm(gpu, d, 8, { training: false, inputGrad: false, tiles: neither }))).toMatch(/^conv2d as implicit GEMM: no shape of the template here .*; use conv2d_general$/);
    // The workgroup-memory shape wherever the tuning says so, subgroups or not.
    expect(implicitGemmParts(gpu, d, 256, undefined, { ...tiles, workgroupMemory: true })).toEqual({ inputGrad: true, shape: 'tiled' });
  });
});
