import { describe, expect, it } from 'vitest';
import { limitSplit } from '../../src/data/dataset.js';
import { loadFashionMnist } from '../../src/data/node.js';
import { fashionMnistSpec, modelDefinition } from '../../src/model/registry.js';
import { cloneParameters } from '../../src/model/tensors.js';
import { trainEpoch } from '../../src/reference/train.js';
import { Trainer } from '../../src/train/trainer.js';
import { expectClose, testGpu } from '../kernels/harness.js';

// One epoch on the first 2,048 training images (8 steps of 256), GPU vs the CPU reference from the same seed.
// Tolerance: each step's f32 rounding (sums over 784 pixels and 256 rows) differs from the f64 reference by
// ~1e-6 relative; 8 SGD steps compound that on weights of size ~0.01-0.1, so 2e-6 abs + 1e-4 rel.
// Loss and accuracy: the loss sum is f32 on the GPU (1e-5 rel); accuracy may differ by a sample or two where a
// prediction sits on a near tie, so 2 / 2048.
describe('a whole epoch on the GPU equals the CPU reference', () => {
  for (const model of ['scratch', 'concise']) for (const kernels of ['fused', 'separate']) {
    it(`${model} model, ${kernels} kernels: 2,048 samples, batch 256, lr 0.1, seed 3`, async () => {
      const gpu = await testGpu();
      const data = await loadFashionMnist();
      const train = limitSplit(data.train, 2048);
      const opts = { lr: 0.1, batchSize: 256, seed: 3 };
      const spec = fashionMnistSpec(model, { kernels });
      const init = modelDefinition(model).init(spec, opts.seed);
      const trainer = await Trainer.create(gpu, { train }, spec, init, opts);
      // Concise is a Sequential: its separate kernels are the network's layer kernels, its tensors 1.weight and 1.bias.
      expect(trainer.summary).toBe(model === 'concise' && kernels === 'separate' ? 'layer kernels (nn.Sequential)' : `${kernels} kernels`);
      const [W, b] = Object.keys(init);
      const gpuMetrics = await trainer.trainEpoch(0);
      const gpuParams = await trainer.readParameters();
      trainer.destroy();

      const cpuParams = cloneParameters(init);
      const cpuMetrics = trainEpoch(spec, cpuParams, train, { ...opts, epoch: 0 });

      expect(gpuParams[W].data).not.toEqual(init[W].data); // it trained
      expectClose(gpuParams[W].data, cpuParams[W].data, { abs: 2e-6, rel: 1e-4 }, W);
      expectClose(gpuParams[b].data, cpuParams[b].data, { abs: 2e-6, rel: 1e-4 }, b);
      expectClose([gpuMetrics.loss], [cpuMetrics.loss], { abs: 0, rel: 1e-5 }, 'loss');
      expect(Math.abs(gpuMetrics.trainAccuracy - cpuMetrics.trainAccuracy)).toBeLessThanOrEqual(2 / 2048);
    });
  }
});
