import { describe, expect, it } from 'vitest';
import { ACTIVATION_CODES } from '../../src/kernels/conv2d_shape.js';
import {
  conv2dForwardSubgroup,
  conv2dForwardU8Subgroup,
  conv2dWeightGradReduce,
  conv2dWeightGradSubgroup,
  conv2dWeightGradU8Subgroup,
  conv2dWeightGradU8UnpoolSubgroup,
  inputGradAsForward,
} from '../../src/kernels/conv2d_subgroup.js';
import { convTile, weightGradTile } from '../../src/gpu/tuning.js';
import { type ConvDims, conv2dForward, convOut } from '../../src/reference/conv2d_forward.js';
import { conv2dInputGrad } from '../../src/reference/conv2d_input_grad.js';
import { conv2dWeightGrad } from '../../src/reference/conv2d_weight_grad.js';
import { conv2dWeightPack } from '../../src/reference/conv2d_weight_pack.js';
import { gatherMinibatch } from '../../src/reference/gather_minibatch.js';
import { poolBackward } from '../../src/reference/pool_backward.js';
import { poolForward } from '../../src/reference/pool_forward.js';
import { Rng } from '../../src/random.js';
import { convShape } from './conv_cases.js';
import { expectClose, inPage, oneStep, randomFloats, randomLabels, randomPixels, readFloats, readUints, runPass, subgroupSupport, testGpu, upload, zeros, refusal } from './harness.js';

// The subgroup fast paths of the convolution kernels (kernels/conv2d_subgroup.ts) against the same CPU twins as
// the generic kernels, on shapes they take (W, the output width and PAD even): LeNet's two layers at 1, 7 and
// 257 rows, and awkward ones: an odd height (a last row tile past the image), 13 output channels (a channel
// group past C_OUT), padding 4 on a 6x6 image, a 3x3 and a 1x1 kernel. Each kernel test is skipped where the
// adapter has no fixed subgroup size (the generic kernels run there). Tolerances as the generic kernels' tests.
const subgroups = await subgroupSupport();

interface Case extends ConvDims {
  name: string;
  rows: number[];
}
const CASES: Case[] = inPage(
  [
    { name: 'LeNet conv1 1->6, 28x28, k5 p2', cIn: 1, cOut: 6, h: 28, w: 28, ks: 5, pad: 2, rows: [1, 7, 257] },
    { name: 'LeNet conv2 6->16, 14x14, k5 p0', cIn: 6, cOut: 16, h: 14, w: 14, ks: 5, pad: 0, rows: [1, 7, 257] },
    { name: '3->13, 13x14, k5 p2', cIn: 3, cOut: 13, h: 13, w: 14, ks: 5, pad: 2, rows: [7] },
    { name: '16->6, 6x6, k5 p4', cIn: 16, cOut: 6, h: 6, w: 6, ks: 5, pad: 4, rows: [7] },
    { name: '3->1, 13x12, k3 p0', cIn: 3, cOut: 1, h: 13, w: 12, ks: 3, pad: 0, rows: [7] },
    { name: '6->3, 5x6, k1 p0', cIn: 6, cOut: 3, h: 5, w: 6, ks: 1, pad: 0, rows: [1] },
  ],
  [{ name: 'LeNet conv2 6->16, 14x14, k5 p0', cIn: 6, cOut: 16, h: 14, w: 14, ks: 5, pad: 0, rows: [7] }],
);

/**
 * Runs a conv2d_weight_grad_subgroup kernel (`main`, already created with `tile`) and conv2d_weight_grad_reduce on
 * `inputs` (its x or u8 images, and its dy or unpooling buffers) and compares dw, db with the twin's `expected`.
 */
async function checkWeightGrad(
  gpu: Awaited<ReturnType<typeof testGpu>>,
  main: { bind(b: Record<string, GPUBuffer>): GPUBindGroup; encode(pass: GPUComputePassEncoder, g: GPUBindGroup, step?: GPUBindGroup): void },
  c: Case,
  rows: number,
  S: number,
  inputs: Record<string, GPUBuffer>,
  expected: { dw: ArrayLike<number>; db: ArrayLike<number> },
  row0 = 0,
) {
  const sums = c.cOut * c.cIn * c.ks * c.ks + c.cOut;
  const reduce = await conv2dWeightGradReduce.create(gpu, { DW: sums - c.cOut, C_OUT: c.cOut }, { constants: { S } });
  const partial = zeros(gpu, S * sums);
  const dw = zeros(gpu, sums - c.cOut);
  const db = zeros(gpu, c.cOut);
  const g1 = main.bind({ ...inputs, partial });
  const g2 = reduce.bind({ partial, dw, db });
  await runPass(gpu, (pass) => {
    main.encode(pass, g1, oneStep(gpu, rows, row0));
    reduce.encode(pass, g2);
  });
  expectClose(await readFloats(gpu, dw, expected.dw.length), expected.dw, { abs: 5e-5, rel: 1e-5 }, 'dw');
  expectClose(await readFloats(gpu, db, c.cOut), expected.db, { abs: 5e-5, rel: 1e-5 }, 'db');
}

describe('conv2d_forward_subgroup: y = act(conv2d(x, w) + b)', () => {
  for (const c of CASES) {
    for (const rows of c.rows) {
      // The chosen tile with each activation, and another (3 rows: a tile past the last row; 4 channels a group).
      const tiles = [convTile(c.cOut, c.pad), { R: 3, PV: 1, CG: 1 }];
      for (const [i, tile] of tiles.entries()) {
        for (const act of ['none', 'sigmoid', 'relu'] as const) {
          if ((act !== 'sigmoid' && rows !== 7) || (i > 0 && act !== 'sigmoid')) continue;
          it.skipIf(subgroups.missing)(`${c.name}, rows ${rows}, ${act}, tile ${tile.R}x${4 * tile.PV}x${4 * tile.CG}`, async () => {
            const gpu = await testGpu();
            const sg = subgroups.size!;
            const rng = new Rng(rows * 31 + c.cIn * 7 + c.cOut + c.h + i);
            const { ho, wo } = convOut(c);
            const x = Float32Array.from({ length: rows * c.cIn * c.h * c.w }, () => rng.uniform());
            const w = randomFloats(rng, c.cOut * c.cIn * c.ks * c.ks, 0.2);
            const b = randomFloats(rng, c.cOut, 0.5);
            const k = await conv2dForwardSubgroup.create(gpu, convShape(c), { rows, workgroup: sg, constants: { PAD: c.pad, ACT: ACTIVATION_CODES[act], SG: sg, ...tile } });
            const y = zeros(gpu, rows * c.cOut * ho * wo);
            const group = k.bind({ x: upload(gpu, x), w: upload(gpu, conv2dWeightPack(w, 1, c.cOut, c.cIn * c.ks * c.ks)), bias: upload(gpu, b), y, pooled: zeros(gpu, 1) }); // POOLED 0: not written (its own buffer: two writable bindings of one buffer are refused)
            await runPass(gpu, (pass) => k.encode(pass, group, oneStep(gpu, rows)));
            const expected = conv2dForward(x, w, b, rows, c, ACTIVATION_CODES[act]);
            expectClose(await readFloats(gpu, y, expected.length), expected, { abs: 1e-5, rel: 1e-5 }, 'y');
          });
        }
      }
    }
  }

  // With the 2x2 pooling from the same registers (POOLED): y as above and pooled as pool_forward's twin of it, for
  // each pooling, at the chosen tile and at 4 rows (a pair of rows past the image where HO / 2 is odd or HO is).
  for (const c of CASES) {
    for (const [pool, code] of [['avg', 0], ['max', 1]] as const) {
      for (const tile of [convTile(c.cOut, c.pad, true), { R: 4, PV: 1, CG: 1 }]) {
        it.skipIf(subgroups.missing)(`${c.name}, rows 7, sigmoid, ${pool}-pooled, tile ${tile.R}x${4 * tile.PV}x${4 * tile.CG}`, async () => {
          const gpu = await testGpu();
          const sg = subgroups.size!;
          const rows = 7;
          const rng = new Rng(c.cIn * 11 + c.cOut + c.h + code + tile.R);
          const { ho, wo } = convOut(c);
          const x = Float32Array.from({ length: rows * c.cIn * c.h * c.w }, () => rng.uniform());
          const w = randomFloats(rng, c.cOut * c.cIn * c.ks * c.ks, 0.2);
          const b = randomFloats(rng, c.cOut, 0.5);
          const k = await conv2dForwardSubgroup.create(gpu, convShape(c), { rows, workgroup: sg, constants: { PAD: c.pad, ACT: ACTIVATION_CODES.sigmoid, SG: sg, POOLED: 1, POOL: code, ...tile } });
          const y = zeros(gpu, rows * c.cOut * ho * wo);
          const pooled = zeros(gpu, rows * c.cOut * Math.floor(ho / 2) * Math.floor(wo / 2));
          const group = k.bind({ x: upload(gpu, x), w: upload(gpu, conv2dWeightPack(w, 1, c.cOut, c.cIn * c.ks * c.ks)), bias: upload(gpu, b), y, pooled });
          await runPass(gpu, (pass) => k.encode(pass, group, oneStep(gpu, rows)));
          const expectedY = conv2dForward(x, w, b, rows, c, ACTIVATION_CODES.sigmoid);
          expectClose(await readFloats(gpu, y, expectedY.length), expectedY, { abs: 1e-5, rel: 1e-5 }, 'y');
          const expected = poolForward(expectedY, rows, c.cOut, ho, wo, code);
          expectClose(await readFloats(gpu, pooled, expected.length), expected, { abs: 1e-5, rel: 1e-5 }, 'pooled');
        });
      }
    }
  }

  it('refuses an odd width or padding at create', async () => {
    const gpu = await testGpu();
    const a = await conv2dForwardSubgroup.create(gpu, { C_IN: 1, C_OUT: 4, H: 8, W: 7, KS: 3 }).then(() => 'created', (e: Error) => e.message);
    expect(a).toMatch(/must be even/);
    const b = await conv2dForwardSubgroup.create(gpu, { C_IN: 1, C_OUT: 4, H: 8, W: 8, KS: 3 }, { constants: { PAD: 1 } }).then(() => 'created', (e: Error) => e.message);
    expect(b).toMatch(/must be even/);
  });
});

describe('conv2d_forward_subgroup as an input gradient: dy correlated with the flipped, transposed kernel', () => {
  for (const c of CASES) {
    const asForward = inputGradAsForward({ ...convShape(c), PAD: c.pad });
    if (!asForward) continue; // PAD > KS - 1 or an odd width: the generic conv2d_input_grad runs
    for (const rows of c.rows) {
      it.skipIf(subgroups.missing)(`${c.name}, rows ${rows}`, async () => {
        const gpu = await testGpu();
        const sg = subgroups.size!;
        const rng = new Rng(rows * 17 + c.cIn * 5 + c.cOut + c.w);
        const { ho, wo } = convOut(c);
        const dy = randomFloats(rng, rows * c.cOut * ho * wo);
        const w = randomFloats(rng, c.cOut * c.cIn * c.ks * c.ks, 0.2);
        const { PAD, ...dims } = asForward;
        const k = await conv2dForwardSubgroup.create(gpu, dims, { rows, workgroup: sg, constants: { PAD, BIAS: 0, SG: sg, ...convTile(c.cIn, c.ks - 1 - c.pad) } });
        const dx = zeros(gpu, rows * c.cIn * c.h * c.w);
        const packed = upload(gpu, conv2dWeightPack(w, c.cOut, c.cIn, c.ks * c.ks, true));
        const group = k.bind({ x: upload(gpu, dy), w: packed, bias: packed, y: dx, pooled: zeros(gpu, 1) });
        await runPass(gpu, (pass) => k.encode(pass, group, oneStep(gpu, rows)));
        const expected = conv2dInputGrad(dy, w, rows, c);
        expectClose(await readFloats(gpu, dx, expected.length), expected, { abs: 2e-5, rel: 1e-5 }, 'dx');
      });
    }
  }
});

describe('conv2d_weight_grad_subgroup + conv2d_weight_grad_reduce: dw, db summed over the minibatch', () => {
  for (const c of CASES) {
    const { wo } = convOut(c);
    if (wo > 32) continue;
    for (const rows of c.rows) {
      const chosen = weightGradTile({ cOut: c.cOut, wo, ks: c.ks });
      for (const tile of [chosen, { CQ: 1, S: 3 }]) {
        it.skipIf(subgroups.missing)(`${c.name}, rows ${rows}, ${tile.CQ} channels per lane, ${tile.S} chunks`, async () => {
          const gpu = await testGpu();
          const sg = subgroups.size!;
          const rng = new Rng(rows * 13 + c.cIn * 3 + c.cOut + c.ks);
          const { ho } = convOut(c);
          const x = Float32Array.from({ length: rows * c.cIn * c.h * c.w }, () => rng.uniform());
          const dy = randomFloats(rng, rows * c.cOut * ho * wo, 0.01);
          const main = await conv2dWeightGradSubgroup.create(gpu, convShape(c), { rows, workgroup: sg, constants: { PAD: c.pad, SG: sg, ...tile } });
          await checkWeightGrad(gpu, main, c, rows, tile.S, { x: upload(gpu, x), dy: upload(gpu, dy) }, conv2dWeightGrad(x, dy, rows, c));
        });
      }
    }
  }
});

// The first layer's twins reading the resident u8 images in the step's order (prelude/conv2d_input_u8.wgsl): the
// same CPU twins fed gather_minibatch's twin of the minibatch, from position 5 of a shuffled order, so a row that
// read images[r] instead of images[order[row0 + r]], or a pixel pair from the wrong half of its word, shows.
const U8_CASES: Case[] = inPage(
  [
    { name: 'LeNet conv1 1->6, 28x28, k5 p2', cIn: 1, cOut: 6, h: 28, w: 28, ks: 5, pad: 2, rows: [1, 7, 257] },
    { name: '3->13, 13x12, k5 p2 (a padded window starts mid-word)', cIn: 3, cOut: 13, h: 13, w: 12, ks: 5, pad: 2, rows: [7] },
    { name: '2->3, 6x10, k3 p0 (rows of 10: half the rows start mid-word)', cIn: 2, cOut: 3, h: 6, w: 10, ks: 3, pad: 0, rows: [7] },
  ],
  [{ name: 'LeNet conv1 1->6, 28x28, k5 p2', cIn: 1, cOut: 6, h: 28, w: 28, ks: 5, pad: 2, rows: [7] }],
);
function u8Minibatch(c: Case, rows: number, seed: number) {
  const rng = new Rng(seed);
  const count = rows + 9;
  const pixels = c.cIn * c.h * c.w;
  const images = randomPixels(rng, count * pixels);
  const labels = randomLabels(rng, count, 10);
  const order = rng.permutation(count);
  const row0 = 5;
  return { rng, images, labels, order, row0, ...gatherMinibatch(images, labels, order, row0, rows, pixels) };
}

describe('conv2d_forward_subgroup on u8 images: y, pooled and the step\'s labels from images[order[row0 + r]]', () => {
  for (const c of U8_CASES) {
    for (const rows of c.rows) {
      it.skipIf(subgroups.missing)(`${c.name}, rows ${rows}`, async () => {
        const gpu = await testGpu();
        const sg = subgroups.size!;
        const { rng, images, labels, order, row0, x, y: want } = u8Minibatch(c, rows, rows * 3 + c.w);
        const w = randomFloats(rng, c.cOut * c.cIn * c.ks * c.ks, 0.2);
        const b = randomFloats(rng, c.cOut, 0.5);
        const { ho, wo } = convOut(c);
        const tile = convTile(c.cOut, c.pad, true);
        const k = await conv2dForwardU8Subgroup.create(gpu, convShape(c), { rows, workgroup: sg, constants: { PAD: c.pad, ACT: ACTIVATION_CODES.sigmoid, SG: sg, POOLED: 1, POOL: 0, ...tile } });
        const y = zeros(gpu, rows * c.cOut * ho * wo);
        const pooled = zeros(gpu, rows * c.cOut * Math.floor(ho / 2) * Math.floor(wo / 2));
        const targets = zeros(gpu, rows);
        const group = k.bind({ images: upload(gpu, images), order: upload(gpu, order), labels: upload(gpu, labels), targets, w: upload(gpu, conv2dWeightPack(w, 1, c.cOut, c.cIn * c.ks * c.ks)), bias: upload(gpu, b), y, pooled });
        await runPass(gpu, (pass) => k.encode(pass, group, oneStep(gpu, rows, row0)));
        const expectedY = conv2dForward(x, w, b, rows, c, ACTIVATION_CODES.sigmoid);
        expectClose(await readFloats(gpu, y, expectedY.length), expectedY, { abs: 1e-5, rel: 1e-5 }, 'y');
        const expected = poolForward(expectedY, rows, c.cOut, ho, wo, 0);
        expectClose(await readFloats(gpu, pooled, expected.length), expected, { abs: 1e-5, rel: 1e-5 }, 'pooled');
        expect(Array.from(await readUints(gpu, targets, rows))).toEqual(Array.from(want));
      });
    }
  }
});

describe('conv2d_weight_grad_subgroup on u8 images: dw, db with x = images[order[row0 + r]] / 255', () => {
  for (const c of U8_CASES) {
    for (const rows of c.rows) {
      it.skipIf(subgroups.missing)(`${c.name}, rows ${rows}`, async () => {
        const gpu = await testGpu();
        const sg = subgroups.size!;
        const { rng, images, order, row0, x } = u8Minibatch(c, rows, rows * 5 + c.w);
        const { ho, wo } = convOut(c);
        const dy = randomFloats(rng, rows * c.cOut * ho * wo, 0.01);
        const tile = weightGradTile({ cOut: c.cOut, wo, ks: c.ks });
        const main = await conv2dWeightGradU8Subgroup.create(gpu, convShape(c), { rows, workgroup: sg, constants: { PAD: c.pad, SG: sg, ...tile } });
        await checkWeightGrad(gpu, main, c, rows, tile.S, { images: upload(gpu, images), order: upload(gpu, order), dy: upload(gpu, dy) }, conv2dWeightGrad(x, dy, rows, c), row0);
      });
    }
  }
});

describe('conv2d_weight_grad_subgroup on u8 images with dy unpooled: dw, db from pool_backward\'s dy', () => {
  // The activation a is quantised to quarters so max-pooling windows hold ties (the first maximum in row-major
  // order takes the gradient); ReLU's zeros make more.
  for (const c of U8_CASES) {
    const { ho, wo } = convOut(c);
    if (ho % 2 !== 0 || wo % 2 !== 0) continue;
    for (const rows of c.rows) {
      for (const [pool, act] of [['avg', 'sigmoid'], ['max', 'sigmoid'], ['max', 'relu'], ['avg', 'relu']] as const) {
        if (rows !== 7 && pool === 'max' && act === 'relu') continue;
        it.skipIf(subgroups.missing)(`${c.name}, rows ${rows}, ${pool}-pool, ${act}`, async () => {
          const gpu = await testGpu();
          const sg = subgroups.size!;
          const { rng, images, order, row0, x } = u8Minibatch(c, rows, rows * 7 + c.w + act.length);
          const a = Float32Array.from({ length: rows * c.cOut * ho * wo }, () => (act === 'relu' ? Math.round(rng.uniform() * 8 - 3) / 4 : Math.round(rng.uniform() * 4) / 4));
          const dpooled = randomFloats(rng, rows * c.cOut * (ho / 2) * (wo / 2), 0.01);
          const codes = { POOL: pool === 'max' ? 1 : 0, ACT: ACTIVATION_CODES[act] };
          const tile = weightGradTile({ cOut: c.cOut, wo, ks: c.ks });
          const main = await conv2dWeightGradU8UnpoolSubgroup.create(gpu, convShape(c), { rows, workgroup: sg, constants: { PAD: c.pad, SG: sg, ...tile, ...codes } });
          const dy = poolBackward(a, dpooled, rows, c.cOut, ho, wo, codes.POOL, codes.ACT);
          const inputs = { images: upload(gpu, images), order: upload(gpu, order), a: upload(gpu, a), dpooled: upload(gpu, dpooled) };
          await checkWeightGrad(gpu, main, c, rows, tile.S, inputs, conv2dWeightGrad(x, dy, rows, c), row0);
        });
      }
    }
  }
});

describe('the convolution subgroup kernels refuse shapes they cannot take, in one line', () => {
  const lenetConv2 = { C_IN: 6, C_OUT: 16, H: 14, W: 14, KS: 5 };
  it('conv2d_forward_subgroup: odd width, odd padding, too big a tile, a workgroup that is not one subgroup, pooling from odd rows', async () => {
    const gpu = await testGpu();
    const create = (shape: typeof lenetConv2, constants: Record<string, number>, workgroup = 8) => conv2dForwardSubgroup.create(gpu, shape, { rows: 7, workgroup, constants: { SG: 8, ...constants } });
    expect(await refusal(() => create({ ...lenetConv2, W: 13 }, {}))).toMatch(/W and the output width must be even \(read and written as vec2\), not 13 and 9/);
    expect(await refusal(() => create(lenetConv2, { PAD: 1 }))).toMatch(/PAD must be even, not 1/);
    expect(await refusal(() => create(lenetConv2, { PAD: 2, R: 3, PV: 3 }))).toMatch(/R·PV must be 1 to 8, not 3·3/);
    expect(await refusal(() => create(lenetConv2, {}, 16))).toMatch(/the workgroup \(16\) must be one subgroup \(8\)/);
    expect(await refusal(() => create(lenetConv2, { POOLED: 1, R: 1 }))).toMatch(/a pooled output needs an even R \(rows of 2x2 windows\), not 1/);
    const u8 = { rows: 7, workgroup: 8, constants: { SG: 8 } };
    expect(await refusal(() => conv2dForwardU8Subgroup.create(gpu, { C_IN: 1, C_OUT: 4, H: 5, W: 6, KS: 3 }, u8))).toMatch(/a u8 image of 1x5x6 pixels is not whole words \(4 pixels each\)/);
    expect(await refusal(() => conv2dWeightGradU8Subgroup.create(gpu, { C_IN: 1, C_OUT: 4, H: 5, W: 6, KS: 3 }, u8))).toMatch(/a u8 image of 1x5x6 pixels is not whole words/);
    expect(await refusal(() => conv2dWeightGradU8UnpoolSubgroup.create(gpu, { C_IN: 3, C_OUT: 13, H: 13, W: 12, KS: 5 }, { ...u8, constants: { SG: 8, PAD: 2 } }))).toMatch(/the output height 13 must be even \(whole 2x2 windows\)/);
  });
  it('conv2d_weight_grad_subgroup: odd width, too many channels per lane', async () => {
    const gpu = await testGpu();
    const create = (shape: typeof lenetConv2, constants: Record<string, number>) => conv2dWeightGradSubgroup.create(gpu, shape, { rows: 7, workgroup: 8, constants: { SG: 8, ...constants } });
    expect(await refusal(() => create({ ...lenetConv2, W: 13 }, {}))).toMatch(/W and the output width must be even \(read as vec2\), not 13 and 9/);
    expect(await refusal(() => create(lenetConv2, { CQ: 5 }))).toMatch(/CQ must be 1 to 4, not 5/);
  });
});
