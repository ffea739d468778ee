/**
 * What fit and train do on the GPU (lavapipe) beyond the CLI's loop: train() trains on the first `limit` samples
 * only, fit's `onBatch` follows the steps, and early stopping stops after `patience` epochs without a better test
 * accuracy and hands back the best epoch's model. Softmax regression on a tiny generated dataset: seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fashionMnistSpec, FashionMNIST, fit, type Gpu, train, type BatchProgress, type TrainStart } from '../../src/index.js';
import { createNodeGpu } from '../../src/node.js';
import { tinyFiles } from '../data/helpers.js';

let gpu: Gpu;
let data: { train: FashionMNIST; test: FashionMNIST };

beforeAll(async () => {
  gpu = await createNodeGpu();
  data = await FashionMNIST.decode(tinyFiles(100, 20, 3));
});
afterAll(() => gpu?.device.destroy());

describe('train and fit on the GPU', () => {
  it('train() trains on the first `limit` samples: fewer steps an epoch, and the limit recorded', async () => {
    const starts: TrainStart[] = [];
    const options = { spec: fashionMnistSpec('scratch'), epochs: 1, lr: 0.1, batchSize: 10, seed: 0 };
    const limited = await train(gpu, data, { ...options, limit: 30 }, { onStart: (s) => void starts.push(s) });
    const all = await train(gpu, data, { ...options, limit: null }, { onStart: (s) => void starts.push(s) });
    expect(starts.map((s) => s.stepsPerEpoch)).toEqual([3, 10]);
    expect(limited.checkpoint.meta.config.limit).toBe(30);
    // Trained on other samples, so other weights.
    expect(limited.checkpoint.params.W.data).not.toEqual(all.checkpoint.params.W.data);
    await expect(train(gpu, data, { ...options, limit: 101 })).rejects.toThrow(/options\.limit must be an integer in 1\.\.100 \(the training samples\), not 101/);
  });

  it('onBatch follows every step with stepsPerSubmit 1', async () => {
    const seen: BatchProgress[] = [];
    await fit(gpu, data, { epochs: 2, batchSize: 25, stepsPerSubmit: 1 }, { onBatch: (p) => void seen.push(p) });
    expect(seen).toEqual([1, 2].flatMap((epoch) => [1, 2, 3, 4].map((batch) => ({ epoch, batch, batches: 4 }))));
  });

  it('early stopping stops after `patience` epochs without a better test accuracy and restores the best epoch', async () => {
    // A learning rate so small the predictions never change: no epoch after the first is better.
    const epochs: number[] = [];
    const result = await fit(gpu, data, { epochs: 8, lr: 1e-30, batchSize: 20, earlyStopping: { patience: 2 } }, { onEpoch: (r) => void epochs.push(r.epoch) });
    expect(epochs).toEqual([1, 2, 3]);
    expect([result.stopped, result.bestEpoch, result.checkpoint.meta.epoch, result.history.length]).toEqual([true, 1, 1, 3]);
    expect(result.test.accuracy).toBe(result.history[0].testAccuracy);
    // Without restoring, the last epoch's model comes back.
    const last = await fit(gpu, data, { epochs: 8, lr: 1e-30, batchSize: 20, earlyStopping: { patience: 2, restoreBest: false } });
    expect([last.stopped, last.bestEpoch, last.checkpoint.meta.epoch]).toEqual([true, null, 3]);
    // A run that keeps improving is not stopped.
    const full = await fit(gpu, data, { epochs: 2, batchSize: 20, earlyStopping: { patience: 5 } });
    expect([full.stopped, full.history.length]).toEqual([false, 2]);
  });
});
