/**
 * What fit and train do on the GPU (lavapipe) beyond the CLI's loop: train() trains on the first `limit` samples
 * only, fit's `onBatch` follows the steps, and early stopping stops after `patience` epochs without a better test
 * accuracy and hands back the best epoch's model, and a learning-rate schedule sets each epoch's rate. Softmax
 * regression on a tiny generated dataset: seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, fashionMnistSpec, FashionMNIST, fit, type Gpu, learningRateAt, train, type BatchProgress, type TrainStart } from '../../src/index.js';
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

  it('a learning-rate schedule trains each epoch at its rate: a constant one is the plain run, a vanishing one freezes the weights', async () => {
    const plain = await fit(gpu, data, { epochs: 2, batchSize: 20 });
    const constant = await fit(gpu, data, { epochs: 2, batchSize: 20, lrSchedule: { type: 'step', stepSize: 100 } });
    expect(constant.checkpoint.params.W.data).toEqual(plain.checkpoint.params.W.data);
    expect(constant.history.map((r) => r.loss)).toEqual(plain.history.map((r) => r.loss));
    // Epoch 2 at 0.1 x 1e-30: its updates vanish in f32, so the weights are epoch 1's.
    const one = await fit(gpu, data, { epochs: 1, batchSize: 20 });
    const starts: TrainStart[] = [];
    const frozen = await fit(gpu, data, { epochs: 2, batchSize: 20, lrSchedule: (epoch, lr) => (epoch === 1 ? lr : lr * 1e-30) }, { onStart: (s) => void starts.push(s) });
    expect(frozen.checkpoint.params.W.data).toEqual(one.checkpoint.params.W.data);
    expect(frozen.checkpoint.params.W.data).not.toEqual(plain.checkpoint.params.W.data);
    expect([frozen.history.length, frozen.checkpoint.meta.epoch, frozen.checkpoint.meta.config.lr, starts.length]).toEqual([2, 2, 0.1 * 1e-30, 1]);
  });
});

describe('learningRateAt', () => {
  it("gives PyTorch's StepLR and CosineAnnealingLR rates, and refuses a rate the GPU cannot use", () => {
    const rates = (schedule: Parameters<typeof learningRateAt>[0]) => [1, 2, 3, 4].map((e) => learningRateAt(schedule, e, 4, 1));
    expect(rates({ type: 'step', stepSize: 2, gamma: 0.5 })).toEqual([1, 1, 0.5, 0.5]);
    expect(rates({ type: 'step', stepSize: 1 })).toEqual([1, 0.1, 0.1 ** 2, 0.1 ** 3]);
    const cosine = rates({ type: 'cosine', minLr: 0.1 });
    [1, 0.1 + 0.9 * (1 + Math.SQRT1_2) / 2, 0.55, 0.1 + 0.9 * (1 - Math.SQRT1_2) / 2].forEach((r, i) => expect(cosine[i]).toBeCloseTo(r, 12));
    expect(() => learningRateAt(() => NaN, 1, 4, 1)).toThrow(ArgumentError);
    expect(() => learningRateAt(() => NaN, 1, 4, 1)).toThrow(/the learning rate options\.lrSchedule gives epoch 1 must be a finite number greater than 0/);
  });

  it('fit refuses a schedule it cannot follow, before any GPU work', async () => {
    const noGpu = {} as Gpu;
    for (const [schedule, message] of [
      [{ type: 'linear' }, /options\.lrSchedule\.type must be 'step' or 'cosine', not the string "linear"/],
      [{ type: 'step', stepSize: 0 }, /options\.lrSchedule\.stepSize must be an integer in 1\.\.100000, not 0/],
      [{ type: 'step', stepSize: 1, gamma: 2 }, /options\.lrSchedule\.gamma must be a number in \(0, 1\], not 2/],
      [{ type: 'cosine', minLr: 5 }, /options\.lrSchedule\.minLr must be a number from 0 to below the learning rate 0\.1, not 5/],
      [(epoch: number) => (epoch === 3 ? -1 : 0.1), /the learning rate options\.lrSchedule gives epoch 3 must be a finite number greater than 0/],
    ] as const) {
      await expect(fit(noGpu, data, { epochs: 4, batchSize: 20, lrSchedule: schedule as never })).rejects.toThrow(message);
    }
  });
});
