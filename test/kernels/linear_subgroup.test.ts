// The subgroup shape of the dense contraction template (shaders/linear_subgroup.wgsl, src/kernels/linear_subgroup.ts)
// against the same CPU twins as the register-tiled shape (test/kernels/linear.test.ts), through the choice in
// src/kernels/linear.ts forced to 'subgroup', with the 'auto' choice and the refusals where the shape does not fit.
import { describe, expect, it } from 'vitest';
import { createLinearForward, createLinearForwardU8, createLinearInputGrad, createLinearWeightGrad, createLinearWeightGradU8 } from '../../src/kernels/linear.js';
import { linearForwardU8Subgroup, linearWeightGradU8Subgroup } from '../../src/kernels/linear_subgroup.js';
import { dropoutConstants } from '../../src/kernels/dropout_mask.js';
import { linearForward } from '../../src/reference/linear_forward.js';
import { linearForwardU8 } from '../../src/reference/linear_forward_u8.js';
import { linearInputGrad } from '../../src/reference/linear_input_grad.js';
import { linearWeightGrad } from '../../src/reference/linear_weight_grad.js';
import { linearWeightGradU8 } from '../../src/reference/linear_weight_grad_u8.js';
import { isCpuAdapter } from '../../src/gpu/tuning.js';
import { Rng } from '../../src/random.js';
import { expectClose, inPage, oneStep, randomFloats, randomLabels, randomPixels, readFloats, readUints, refusal, runPass, subgroupSupport, testGpu, upload, zeros } from './harness.js';
import { ACT_NAMES, epilogueOf, FORWARD_TOL, hiddenOf, INPUT_GRAD_TOL, WEIGHT_GRAD_TOL } from './linear_cases.js';

// Skipped, and saying why, where the adapter has no fixed subgroup size (never on lavapipe: subgroups.test.ts).
const subgroups = await subgroupSupport();
// GPUs take the workgroup-memory shape (gpu/tuning.ts MLP_TILES.workgroupMemory); the choice below is a CPU driver's.
const cpu = isCpuAdapter((await testGpu()).adapterInfo);

describe.skipIf(subgroups.missing)('linear_subgroup:forward, f32 x (K and N multiples of 4)', () => {
  // LeNet's dense layers (sigmoid), the MLP's, and shapes that fill no workgroup; every ACT.
  const cases: Array<[number, number, number]> = inPage([[400, 120, 1], [120, 84, 2], [784, 256, 2], [12, 20, 0], [784, 20, 1], [12, 256, 2]], [[12, 20, 0], [784, 20, 1]]);
  for (const [K, N, act] of cases) for (const rows of inPage([1, 7, 257], [257])) {
    const drop = rows === 257 && K === 12;
    it(`rows ${rows}, K ${K}, N ${N}, ${ACT_NAMES[act]}${drop ? ', dropout p 0.5' : ''}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 17 + K + N);
      const x = Float32Array.from({ length: rows * K }, () => rng.uniform());
      const w = randomFloats(rng, K * N, 0.1);
      const b = randomFloats(rng, N, 0.5);
      const mask = drop ? dropoutConstants(0.5, 4, 1) : null;
      const kernel = await createLinearForward(gpu, { K, N }, rows, { ACT: act, ...mask }, { variant: 'subgroup' });
      expect(kernel.kernel.name).toBe('linear_subgroup');
      const out = zeros(gpu, rows * N);
      const group = kernel.bind({ x: upload(gpu, x), w: upload(gpu, w), b: upload(gpu, b), out });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
      const want = linearForward(x, w, b, rows, K, N, { ...epilogueOf(act), dropout: mask ? { mask, step: { epoch: 0, index: 0 } } : undefined });
      expectClose(await readFloats(gpu, out, rows * N), want, FORWARD_TOL, 'out');
    });
  }
});

describe.skipIf(subgroups.missing)('linear_subgroup:forward, u8 images (K a multiple of 16, N of 4)', () => {
  // K 48: 3 chunks of 16 pixels. Every ACT, the sigmoid included (the u8 kernels had none before the template).
  const cases: Array<[number, number, number]> = inPage([[784, 256, 2], [16, 20, 1], [784, 20, 0], [48, 256, 1]], [[16, 20, 1], [784, 20, 0]]);
  for (const [K, N, act] of cases) for (const rows of inPage([1, 7, 257], [257])) {
    const drop = rows === 257 && K === 784;
    it(`rows ${rows}, K ${K}, N ${N}, ${ACT_NAMES[act]}${drop ? ', dropout p 0.2' : ''}, from position 5 of a shuffle`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 19 + K + N);
      const count = rows + 9;
      const images = randomPixels(rng, count * K);
      const labels = randomLabels(rng, count, 10);
      const order = rng.permutation(count);
      const w = randomFloats(rng, K * N, 0.1);
      const b = randomFloats(rng, N, 0.5);
      const mask = drop ? dropoutConstants(0.2, 5, 0) : null;
      const kernel = await createLinearForwardU8(gpu, { K, N }, rows, { ACT: act, ...mask }, { variant: 'subgroup' });
      expect(kernel.kernel.name).toBe('linear_subgroup');
      const out = zeros(gpu, rows * N);
      const y = upload(gpu, new Uint32Array(rows).fill(99));
      const group = kernel.bind({ images: upload(gpu, images), labels: upload(gpu, labels), order: upload(gpu, order), w: upload(gpu, w), b: upload(gpu, b), out, y });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows, 5)));
      const want = linearForwardU8(images, labels, order, 5, rows, w, b, K, N, { ...epilogueOf(act), dropout: mask ? { mask, step: { epoch: 0, index: 0 } } : undefined });
      expectClose(await readFloats(gpu, out, rows * N), want.out, FORWARD_TOL, 'out');
      expect(await readUints(gpu, y, rows)).toEqual(want.y);
    });
  }
});

describe.skipIf(subgroups.missing)("linear_subgroup:input_grad (N a multiple of 4, any K): dx = (dy·Wᵀ) ⊙ act'(h) ⊙ dropout mask", () => {
  const cases: Array<[number, number]> = inPage([[784, 256], [13, 20], [256, 20], [13, 256]], [[13, 20], [256, 20]]);
  for (const [K, N] of cases) for (const rows of inPage([1, 7, 257], [257])) {
    const drop = rows === 257 && K === 256;
    it(`rows ${rows}, K ${K}, N ${N}, ReLU mask${drop ? ', dropout p 0.5' : ''}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 23 + K + N);
      const dy = randomFloats(rng, rows * N, 0.01);
      const w = randomFloats(rng, K * N, 0.1);
      const h = hiddenOf(rng, rows * K, 2);
      const mask = drop ? dropoutConstants(0.5, 6, 0) : null;
      const kernel = await createLinearInputGrad(gpu, { K, N }, rows, { ACT: 2, ...mask }, { variant: 'subgroup' });
      expect(kernel.kernel.name).toBe('linear_subgroup');
      const dx = zeros(gpu, rows * K);
      const group = kernel.bind({ dy: upload(gpu, dy), w: upload(gpu, w), h: upload(gpu, h), dx });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
      const want = linearInputGrad(dy, w, h, rows, K, N, { reluMask: true, dropout: mask ? { mask, step: { epoch: 0, index: 0 } } : undefined });
      expectClose(await readFloats(gpu, dx, rows * K), want, INPUT_GRAD_TOL, 'dx');
    });
  }
  for (const [K, N, rows, act] of [[400, 120, 256, 1], [120, 84, 257, 1], [13, 20, 7, 1], [13, 20, 1, 0], [400, 120, 257, 0]]) {
    it(`${act === 1 ? 'sigmoid slope h(1 - h)' : 'no activation'}, rows ${rows}, K ${K}, N ${N}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 29 + K + N);
      const dy = randomFloats(rng, rows * N, 0.01);
      const w = randomFloats(rng, K * N, 0.1);
      const h = hiddenOf(rng, rows * K, act);
      const kernel = await createLinearInputGrad(gpu, { K, N }, rows, { ACT: act }, { variant: 'subgroup' });
      const dx = zeros(gpu, rows * K);
      const group = kernel.bind({ dy: upload(gpu, dy), w: upload(gpu, w), h: upload(gpu, h), dx });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
      expectClose(await readFloats(gpu, dx, rows * K), linearInputGrad(dy, w, h, rows, K, N, { reluMask: false, sigmoidSlope: act === 1 }), INPUT_GRAD_TOL, 'dx');
    });
  }
});

describe.skipIf(subgroups.missing)('linear_subgroup:weight_grad, f32 x (K and N multiples of 4): dW = xᵀ·dy', () => {
  const cases: Array<[number, number]> = inPage([[784, 256], [12, 20], [784, 20], [12, 256], [400, 120]], [[12, 20], [784, 20]]);
  for (const [K, N] of cases) for (const rows of inPage([1, 7, 257], [257])) {
    it(`rows ${rows}, K ${K}, N ${N}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 29 + K + N);
      const x = Float32Array.from({ length: rows * K }, () => rng.uniform());
      const dy = randomFloats(rng, rows * N, 1 / rows);
      const kernel = await createLinearWeightGrad(gpu, { K, N }, rows, { variant: 'subgroup' });
      expect(kernel.kernel.name).toBe('linear_subgroup');
      const dw = zeros(gpu, K * N);
      const group = kernel.bind({ x: upload(gpu, x), dy: upload(gpu, dy), dw });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows)));
      expectClose(await readFloats(gpu, dw, K * N), linearWeightGrad(x, dy, rows, K, N), WEIGHT_GRAD_TOL, 'dW');
    });
  }
});

describe.skipIf(subgroups.missing)('linear_subgroup:weight_grad, u8 images (K a multiple of 16, N of 4): dW = (images[order] / 255)ᵀ·dy', () => {
  // K 48: 3 chunks of 16 pixels, no multiple of the 2 chunks per workgroup (the last workgroup's second is past K).
  const cases: Array<[number, number]> = inPage([[784, 256], [16, 20], [784, 20], [48, 256]], [[16, 20], [784, 20]]);
  for (const [K, N] of cases) for (const rows of inPage([1, 7, 257], [257])) {
    it(`rows ${rows}, K ${K}, N ${N}, from position 3 of a shuffle`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(rows * 31 + K + N);
      const count = rows + 4;
      const images = randomPixels(rng, count * K);
      const order = rng.permutation(count);
      const dy = randomFloats(rng, rows * N, 1 / rows);
      const kernel = await createLinearWeightGradU8(gpu, { K, N }, rows, { variant: 'subgroup' });
      expect(kernel.kernel.name).toBe('linear_subgroup');
      const dw = zeros(gpu, K * N);
      const group = kernel.bind({ images: upload(gpu, images), order: upload(gpu, order), dy: upload(gpu, dy), dw });
      await runPass(gpu, (pass) => kernel.encode(pass, group, oneStep(gpu, rows, 3)));
      expectClose(await readFloats(gpu, dw, K * N), linearWeightGradU8(images, order, 3, rows, dy, K, N), WEIGHT_GRAD_TOL, 'dW');
    });
  }
});

describe('the choice of shape where the subgroup one does not fit', () => {
  it.skipIf(subgroups.missing || !cpu)('on a CPU driver, auto takes the register-tiled kernel for N 10 or a u8 K of 12; subgroup is refused with the reason', async () => {
    const gpu = await testGpu();
    expect((await createLinearForward(gpu, { K: 256, N: 10 }, 7)).kernel.name).toBe('linear');
    expect((await createLinearForward(gpu, { K: 256, N: 20 }, 7)).kernel.name).toBe('linear_subgroup');
    expect((await createLinearWeightGradU8(gpu, { K: 12, N: 20 }, 7)).kernel.name).toBe('linear');
    expect((await createLinearForwardU8(gpu, { K: 12, N: 20 }, 7)).kernel.name).toBe('linear');
    expect(await refusal(() => createLinearWeightGradU8(gpu, { K: 12, N: 20 }, 7, { variant: 'subgroup' }))).toMatch(/no subgroup path for K 12, N 20/);
    expect(await refusal(() => createLinearInputGrad(gpu, { K: 13, N: 10 }, 7, {}, { variant: 'subgroup' }))).toMatch(/no subgroup path for K 13, N 10/);
  });
  it('generic is the register-tiled kernel on any adapter', async () => {
    const gpu = await testGpu();
    expect((await createLinearForward(gpu, { K: 256, N: 20 }, 7, {}, { variant: 'generic' })).kernel.name).toBe('linear');
  });
  it('the u8 subgroup kernels themselves refuse K 12 with the reason', async () => {
    const gpu = await testGpu();
    expect(await refusal(() => linearWeightGradU8Subgroup.create(gpu, { K: 12, N: 20 }, { rows: 7, workgroup: 8, constants: { SG: 8 } }))).toMatch(/K must be a multiple of 16 \(read 16 packed pixels at a time\), not 12/);
    expect(await refusal(() => linearForwardU8Subgroup.create(gpu, { K: 12, N: 20 }, { rows: 7, workgroup: 8, constants: { SG: 8 } }))).toMatch(/K must be a multiple of 16/);
  });
});
