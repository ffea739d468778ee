/**
 * A step run in chunks of rows (train/gradient_chunks.ts: gradient accumulation, what a batch whose activations
 * pass a storage binding does) trains as the same step run whole: the same epoch's loss, accuracy and parameters
 * to the order of a sum, on any adapter (TrainerConfig.chunkRows makes the chunks smaller than the binding needs).
 */
import { describe, expect, it } from 'vitest';
import { limitSplit } from '../../src/data/dataset.js';
import { loadFashionMnist } from '../../src/data/node.js';
import type { ModelSpec } from '../../src/model/model.js';
import { nn } from '../../src/nn/declare.js';
import { sequentialNetworkModel } from '../../src/nn/model.js';
import { optim, type OptimizerConfig } from '../../src/optim/index.js';
import { STEP_SLOT_BYTES } from '../../src/train/steps.js';
import { Trainer } from '../../src/train/trainer.js';
import { paddedSize } from '../../src/gpu/buffers.js';
import { expectClose, testGpu } from '../kernels/harness.js';

const SHAPE = { channels: 1, height: 28, width: 28 };

/** A trainer of `spec` (seed 5) on the first 600 training samples: at batch 128, four whole steps and one of 88 rows. */
async function trainerOf(spec: ModelSpec, optimizer: OptimizerConfig, batchSize: number, chunkRows?: number): Promise<Trainer> {
  const train = limitSplit((await loadFashionMnist()).train, 600);
  return Trainer.create(await testGpu(), { train }, spec, sequentialNetworkModel.init(spec, 5), { lr: optimizer.lr, optimizer, batchSize, seed: 5, chunkRows });
}

async function epoch(spec: ModelSpec, optimizer: OptimizerConfig, chunkRows?: number) {
  const trainer = await trainerOf(spec, optimizer, 128, chunkRows);
  const first = await trainer.trainEpoch(0);
  const second = await trainer.trainEpoch(1);
  const params = await trainer.readParameters();
  const info = { summary: trainer.summary, steps: trainer.stepsPerEpoch, dispatches: trainer.dispatchesPerEpoch(), bytes: trainer.gpuBytes() };
  trainer.destroy();
  return { first, second, params, init: sequentialNetworkModel.init(spec, 5), info };
}

/** The GPU buffer bytes of a trainer of `spec` on the same 600 samples at `batchSize` rows, unchunked. */
async function gpuBytes(spec: ModelSpec, optimizer: OptimizerConfig, batchSize: number): Promise<number> {
  const trainer = await trainerOf(spec, optimizer, batchSize);
  const bytes = trainer.gpuBytes();
  trainer.destroy();
  return bytes;
}

// Tolerance: the chunks' gradients are summed in another order than one step's (f32 sums of ~43 rows, then of 3
// partial sums): ~1e-6 relative per step, over two epochs of 5 steps each. A chunk left out, or counted twice, or
// divided by its own rows instead of the batch's, moves the parameters by ~lr times a third of a gradient.
describe('a step in chunks trains as the step whole', () => {
  it('a CNN with a fan-out (Residual), SGD with momentum: batch 128 in 3 chunks of 43 rows', async () => {
    const net = nn.Sequential(
      nn.Conv2d(1, 4, 3, { padding: 1 }),
      nn.ReLU(),
      nn.Residual(nn.Sequential(nn.Conv2d(4, 4, 3, { padding: 1 }), nn.ReLU())),
      nn.MaxPool2d(2),
      nn.Flatten(),
      nn.Linear(4 * 14 * 14, 10),
    );
    const spec = sequentialNetworkModel.spec(SHAPE, 10, { net });
    const optimizer = optim.SGD({ lr: 0.05, momentum: 0.9 });
    const whole = await epoch(spec, optimizer);
    const chunked = await epoch(spec, optimizer, 48);
    expect(whole.info.summary).not.toMatch(/chunks/);
    // 128 rows at most 48 a chunk: 3 chunks, balanced (43, 43, 42; the last step's 88: 43, 43, 2).
    expect(chunked.info.summary).toMatch(/; each batch of 128 in 3 chunks of 43 rows, their gradients summed$/);
    expect(chunked.info.steps).toBe(whole.info.steps);
    expect(chunked.info.dispatches).toBeGreaterThan(2 * whole.info.dispatches);
    // Its buffers: a step's at 43 rows (as a batch of 43 holds), a sum beside each gradient, and one more step slot
    // (15 chunks against 14 steps of 43).
    const sums = Object.values(whole.params).reduce((n, p) => n + paddedSize(p.data.length * 4), 0);
    expect(chunked.info.bytes - (await gpuBytes(spec, optimizer, 43))).toBe(sums + STEP_SLOT_BYTES);
    for (const e of ['first', 'second'] as const) {
      expectClose([chunked[e].loss], [whole[e].loss], { abs: 0, rel: 1e-5 }, `${e} epoch's loss`);
      expect(Math.abs(chunked[e].trainAccuracy - whole[e].trainAccuracy), `${e} epoch's accuracy`).toBeLessThanOrEqual(2 / 600);
    }
    for (const name of Object.keys(whole.params)) {
      expect(whole.params[name].data, name).not.toEqual(whole.init[name].data); // it trained
      expectClose(chunked.params[name].data, whole.params[name].data, { abs: 2e-5, rel: 1e-4 }, name);
    }
  });

  it('softmax regression, plain SGD: whole, its fused kernels; in chunks, the layer kernels (the fused ones update the weights themselves)', async () => {
    const spec = sequentialNetworkModel.spec(SHAPE, 10, { net: nn.Sequential(nn.Flatten(), nn.Linear(784, 10)) });
    const optimizer = optim.SGD({ lr: 0.1 });
    const whole = await epoch(spec, optimizer);
    const chunked = await epoch(spec, optimizer, 64);
    expect(whole.info.summary).toMatch(/fused/);
    expect(chunked.info.summary).toMatch(/^layer kernels .*; each batch of 128 in 2 chunks of 64 rows/);
    expectClose([chunked.second.loss], [whole.second.loss], { abs: 0, rel: 1e-5 }, 'loss');
    for (const name of Object.keys(whole.params)) expectClose(chunked.params[name].data, whole.params[name].data, { abs: 2e-5, rel: 1e-4 }, name);
  });

  it("with BatchNorm: says each chunk is normalized by the chunk's statistics, and trains", async () => {
    const net = nn.Sequential(nn.Conv2d(1, 4, 5), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 12 * 12, 10));
    const spec = sequentialNetworkModel.spec(SHAPE, 10, { net });
    const chunked = await epoch(spec, optim.SGD({ lr: 0.5 }), 64);
    expect(chunked.info.summary).toMatch(/; each batch of 128 in 2 chunks of 64 rows, their gradients summed \(BatchNorm normalizes each chunk by the chunk's statistics\)$/);
    expect(chunked.second.loss).toBeLessThan(chunked.first.loss);
    for (const name of Object.keys(chunked.params)) expect(chunked.params[name].data.every(Number.isFinite), name).toBe(true);
  });
});
