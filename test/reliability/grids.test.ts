/**
 * Every dispatch within maxComputeWorkgroupsPerDimension (issue 25, root 2). `--hidden 4096,4096` gave Dawn's
 * "Dispatch workgroup count X (65536) exceeds max compute workgroups per dimension (65535)": the SGD kernels'
 * grid was one-dimensional. Element-wise kernels whose grid grows with a tensor (SGD, dropout, ReLU, pooling)
 * now spread it over x and y (kernels/kernel.ts, spreadGrid), and creating any kernel whose grid would still
 * be past the adapter's limit is one GpuError naming the kernel, never a WebGPU error mid-epoch.
 *
 * The largest shapes the flags allow are built for every model (every kernel created, each grid checked at
 * creation); training them a step is far too slow on lavapipe, so only the issue's own case runs, at a small batch.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImageSplit } from '../../src/data/dataset.js';
import { GpuError } from '../../src/errors.js';
import { batchSizeProblem } from '../../src/gpu/tuning.js';
import { spreadGrid } from '../../src/kernels/kernel.js';
import { dropout } from '../../src/kernels/dropout.js';
import { poolBackward, poolBackwardVec2 } from '../../src/kernels/pool_backward.js';
import { relu } from '../../src/kernels/relu.js';
import { createSgdUniform, sgdUpdate as sgdUpdateKernel, sgdWeightDecay as sgdWeightDecayKernel } from '../../src/kernels/optimizer.js';
import { softmax } from '../../src/kernels/softmax.js';
import { LENET_MAX_ROWS } from '../../src/model/lenet.js';
import { mlpMaxRows } from '../../src/model/mlp.js';
import { fashionMnistSpec, modelDefinition } from '../../src/model/registry.js';
import { sgdUpdate, sgdWeightDecay } from '../../src/reference/optimizer.js';
import { Rng } from '../../src/random.js';
import { Trainer } from '../../src/train/trainer.js';
import { runCli } from '../cli/run.js';
import { tinyFiles, writeFiles } from '../data/helpers.js';
import { readFloats, runPass, testGpu, upload } from '../kernels/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'webgpu-softmax-grids-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LIMIT = 65_535; // WebGPU's guaranteed maxComputeWorkgroupsPerDimension, and lavapipe's

/** `count` training images of zeros, labels 0: only their number matters to the kernels' grids. */
const blankSplit = (count: number): ImageSplit => ({ images: new Uint8Array(count * 784), labels: new Uint8Array(count), count });

describe('a grid past the limit is refused when the kernel is created', () => {
  it('softmax over 64 x 65,536 rows: one GpuError naming the kernel and the limit', async () => {
    const gpu = await testGpu();
    await expect(softmax.create(gpu, { N: 10 }, { rows: 64 * 65_536 })).rejects.toThrow(GpuError);
    await expect(softmax.create(gpu, { N: 10 }, { rows: 64 * 65_536 })).rejects.toThrow(/^softmax: a grid of \[65536, 1, 1\] workgroups \(rows 4194304, N 10\) exceeds this adapter's maxComputeWorkgroupsPerDimension \(65535\)$/);
  });

  it('spreadGrid keeps every count within the limit with at most one row of spare workgroups', () => {
    for (const n of [1, 65_535, 65_536, 262_144, 524_288, 65_535 * 65_535]) {
      const [x, y] = spreadGrid(n);
      expect(Math.max(x, y)).toBeLessThanOrEqual(LIMIT);
      expect(x * y).toBeGreaterThanOrEqual(n);
      expect(x * (y - 1)).toBeLessThan(n);
    }
  });
});

describe('the SGD kernels update a 4096 x 4096 weight (65,537 workgroups of 64 in one dimension before)', () => {
  const count = 4096 * 4096 + 5;
  for (const decay of [false, true]) {
    it(decay ? 'sgd_weight_decay' : 'sgd_update', async () => {
      const gpu = await testGpu();
      const rng = new Rng(7);
      const param = Float32Array.from({ length: count }, () => rng.normal() * 0.01);
      const grad = Float32Array.from({ length: count }, () => rng.normal() * 0.05);
      const kernel = decay ? await sgdWeightDecayKernel.create(gpu, { COUNT: count }) : await sgdUpdateKernel.create(gpu, { COUNT: count });
      expect(kernel.grid[1]).toBeGreaterThan(1);
      const p = upload(gpu, param);
      const sgd = decay ? createSgdUniform(gpu.device, 'sgd', 0.1, 0.01) : createSgdUniform(gpu.device, 'sgd', 0.1);
      const group = kernel.bind({ sgd, param: p, grad: upload(gpu, grad) });
      await runPass(gpu, (pass) => kernel.encode(pass, group));
      const want = param.slice();
      if (decay) sgdWeightDecay(want, grad, 0.1, 0.01);
      else sgdUpdate(want, grad, 0.1);
      const got = await readFloats(gpu, p, count);
      // Every element moved as the twin says (1 ulp of the update plus 1 of the result: an FMA on one side only).
      let worst = 0;
      for (let i = 0; i < count; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) - 2 ** -23 * Math.abs(want[i]));
      expect(worst).toBeLessThanOrEqual(2e-9);
      expect(got[count - 1]).not.toBe(param[count - 1]); // the last element too, past the first 65,535 x 64 x 4
      p.destroy();
    }, 60_000);
  }
});

describe('the largest shapes the flags allow build, every grid within the limit', () => {
  // Per-kernel grids grow with a layer's width and the batch, not with the number of layers: two 4,096-wide
  // layers give the largest of each kernel (the 4096 x 4096 weight, [batch, 4096] activations).
  const cases: Array<[string, Record<string, string | number>, number]> = [
    ['scratch', { kernels: 'separate' }, 0],
    ['concise', { kernels: 'separate' }, 0],
    ['mlp', { hidden: '4096,4096', dropout: '0.5,0.5', weightDecay: 0.01 }, 0],
    ['mlp-scratch', { hidden: '4096,4096', dropout: '0.5,0.5', weightDecay: 0.01 }, 0],
    ['lenet', {}, LENET_MAX_ROWS],
    ['lenet', { activation: 'relu', pool: 'max' }, LENET_MAX_ROWS],
  ];
  for (const [kind, options, lenetRows] of cases) {
    it(`${kind} ${JSON.stringify(options)}`, async () => {
      const gpu = await testGpu();
      const spec = fashionMnistSpec(kind, options);
      // The largest batch: the adapter's for the images, then the model's own bound.
      const adapterMax = Number(/largest batch size it can train is (\d+)/.exec(batchSizeProblem(gpu.device.limits, 1e9, 784)!)![1]);
      const batch = lenetRows || (kind.startsWith('mlp') ? Math.min(adapterMax, mlpMaxRows(spec)) : adapterMax);
      expect(modelDefinition(kind).problem?.(spec, batch) ?? null).toBeNull();
      gpu.device.pushErrorScope('validation');
      const trainer = await Trainer.create(gpu, { train: blankSplit(batch), test: blankSplit(16) }, spec, modelDefinition(kind).init(spec, 0), { lr: 0.1, batchSize: batch, seed: 0 });
      trainer.destroy();
      expect(await gpu.device.popErrorScope()).toBeNull();
    }, 120_000);
  }

  it('the element-wise kernels at their largest: dropout and ReLU over [8192, 4096], the pool backward over LeNet\'s [4096, 6, 28, 28]', async () => {
    const gpu = await testGpu();
    for (const created of [
      await dropout.create(gpu, { N: 4096 }, { rows: 8192 }),
      await relu.create(gpu, { N: 4096 }, { rows: 8192 }),
      await poolBackward.create(gpu, { C: 6, H: 28, W: 28 }, { rows: LENET_MAX_ROWS }),
      await poolBackwardVec2.create(gpu, { C: 6, H: 28, W: 28 }, { rows: LENET_MAX_ROWS }),
    ]) {
      expect(Math.max(...created.grid)).toBeLessThanOrEqual(LIMIT);
      expect(created.grid[1]).toBeGreaterThan(1); // spread over y: one dimension would be past the limit
    }
  });
});

describe('through the CLI: the issue\'s --hidden 4096,4096 trains', () => {
  it('mlp and mlp-scratch, one epoch at batch 8', async () => {
    const data = join(dir, 'data');
    mkdirSync(data);
    writeFiles(data, tinyFiles(8, 8), false);
    for (const model of ['mlp', 'mlp-scratch']) {
      const r = await runCli(['train', '--model', model, '--hidden', '4096,4096', '--batch-size', '8', '--epochs', '1', '--data', data], { timeoutMs: 120_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^epoch 1, loss \d/m);
    }
  }, 240_000);

  it('a batch past the MLP\'s bound is one line before any GPU work', async () => {
    const data = join(dir, 'data-big');
    mkdirSync(data);
    writeFiles(data, tinyFiles(8193, 8), false);
    const r = await runCli(['train', '--model', 'mlp', '--hidden', '4096', '--batch-size', '8193', '--epochs', '1', '--data', data]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("error: model mlp with a 4096-wide layer trains with batches of at most 8192 (each layer's [batch, width] f32 activations must fit a 128 MiB binding), not 8193 (see `webgpu-softmax train --help`)\n");
  }, 60_000);
});
