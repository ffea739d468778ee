import { describe, expect, it } from 'vitest';
import { limitSplit } from '../../src/data/dataset.js';
import { loadFashionMnist } from '../../src/data/node.js';
import { fashionMnistSpec, modelDefinition } from '../../src/model/registry.js';
import { cloneParameters } from '../../src/model/tensors.js';
import { trainEpoch } from '../../src/reference/train.js';
import { Trainer } from '../../src/train/trainer.js';
import { expectClose, testGpu } from '../kernels/harness.js';

// One epoch on the first 2,048 training images (8 steps of 256), GPU vs the CPU reference from the same seed,
// with the same dropout masks (the same hash on both sides).
// Tolerance: each step's f32 sums (784 pixels, 256 hidden units, 256 rows) differ from the f64 reference by
// ~1e-6 relative; 8 SGD steps at lr 0.1 compound that on weights of size ~0.01: 1e-5 abs + 1e-3 rel (a ReLU
// whose input sits within rounding of 0 may switch on one side only, moving a few gradients by ~1e-6).
// Loss: the GPU's loss sum is f32 (1e-5 rel); with dropout the same masks make it 1e-4 too. Accuracy may differ
// by a sample or two where a prediction sits on a near tie: 2 / 2048.
describe('a whole MLP epoch on the GPU equals the CPU reference', () => {
  const cases: Array<[string, Record<string, string | number>]> = [
    ['mlp', {}],
    ['mlp-scratch', {}],
    ['mlp', { hidden: '64,32', dropout: '0.2,0.5', weightDecay: 0.01 }],
    ['mlp-scratch', { hidden: '64,32', dropout: '0.2,0.5', weightDecay: 0.01 }],
    // Widths that are no multiple of 4: every layer takes the generic kernels, not the subgroup fast paths.
    ['mlp', { hidden: '30,6', dropout: '0.5,0' }],
  ];
  for (const [model, options] of cases) {
    it(`${model} ${JSON.stringify(options)}: 2,048 samples, batch 256, lr 0.5, seed 3`, async () => {
      const gpu = await testGpu();
      const data = await loadFashionMnist();
      const train = limitSplit(data.train, 2048);
      const opts = { lr: 0.5, batchSize: 256, seed: 3 };
      const spec = fashionMnistSpec(model, options);
      const init = modelDefinition(model).init(spec, opts.seed);
      const trainer = await Trainer.create(gpu, { train }, spec, init, opts);
      const gpuMetrics = await trainer.trainEpoch(1); // epoch 1: a mask stream other than epoch 0's
      const gpuParams = await trainer.readParameters();
      trainer.destroy();

      const cpuParams = cloneParameters(init);
      const cpuMetrics = trainEpoch(spec, cpuParams, train, { ...opts, epoch: 1 });

      expect(Object.keys(gpuParams)).toEqual(Object.keys(cpuParams));
      for (const name of Object.keys(cpuParams)) {
        expect(gpuParams[name].data, name).not.toEqual(init[name].data); // it trained
        expectClose(gpuParams[name].data, cpuParams[name].data, { abs: 1e-5, rel: 1e-3 }, name);
      }
      expectClose([gpuMetrics.loss], [cpuMetrics.loss], { abs: 0, rel: 1e-4 }, 'loss');
      expect(Math.abs(gpuMetrics.trainAccuracy - cpuMetrics.trainAccuracy)).toBeLessThanOrEqual(2 / 2048);
      // One hidden layer learns within an epoch; two behind dropout start slower from N(0, 0.01²) (as in d2l).
      if (!options.dropout) expect(cpuMetrics.loss).toBeLessThan(2.3);
    });
  }
});
