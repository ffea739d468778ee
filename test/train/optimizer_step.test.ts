/**
 * The trainer's optimizer end to end: an MLP epoch on the GPU, its parameters updated by the optimizer the
 * trainer runs after each step, equals the CPU reference: the model's gradients (reference/mlp.ts) fed to the
 * optimizer kernels' twins (reference/optimizer.ts) step by step, in f64.
 */
import { describe, expect, it } from 'vitest';
import { limitSplit } from '../../src/data/dataset.js';
import { epochOrder } from '../../src/data/minibatches.js';
import { loadFashionMnist } from '../../src/data/node.js';
import { fashionMnistSpec, modelDefinition } from '../../src/model/registry.js';
import { type Parameters } from '../../src/model/tensors.js';
import { optim, type OptimizerConfig } from '../../src/optim/index.js';
import { gatherMinibatch } from '../../src/reference/gather_minibatch.js';
import { mlpGradients } from '../../src/reference/mlp.js';
import { adamUpdate, sgdMomentum } from '../../src/reference/optimizer.js';
import { Trainer } from '../../src/train/trainer.js';
import { expectClose, testGpu } from '../kernels/harness.js';

/** One CPU epoch of `spec` from `init` with `optimizer` (weight decay on the W's only), in f64; the parameters after it. */
function referenceEpoch(spec: ReturnType<typeof fashionMnistSpec>, init: Parameters, split: { images: Uint8Array; labels: Uint8Array; count: number }, optimizer: OptimizerConfig, opts: { batchSize: number; seed: number; epoch: number }) {
  const names = Object.keys(init);
  const param = Object.fromEntries(names.map((n) => [n, Float64Array.from(init[n].data)]));
  const state = Object.fromEntries(names.map((n) => [n, [new Float64Array(init[n].data.length), new Float64Array(init[n].data.length)]]));
  const order = epochOrder(split.count, opts.seed, opts.epoch);
  let t = 0;
  for (let row0 = 0, index = 0; row0 < split.count; row0 += opts.batchSize, index++) {
    const rows = Math.min(opts.batchSize, split.count - row0);
    const { x, y } = gatherMinibatch(split.images, split.labels, order, row0, rows, 784);
    // The model's gradients at the f32 parameters the GPU holds.
    const asF32: Parameters = Object.fromEntries(names.map((n) => [n, { shape: init[n].shape, data: Float32Array.from(param[n]) }]));
    const { grads } = mlpGradients(spec, asF32, x, y, rows, { seed: opts.seed, epoch: opts.epoch, index });
    t++;
    for (const n of names) {
      const weightDecay = n.startsWith('W') ? optimizer.weightDecay : 0;
      if (optimizer.kind === 'adam') adamUpdate(param[n], grads[n].data, state[n][0], state[n][1], t, { ...optimizer, weightDecay });
      else sgdMomentum(param[n], grads[n].data, state[n][0], optimizer.lr, optimizer.momentum, weightDecay);
    }
  }
  return { param, state, t };
}

// One epoch on the first 1,024 training images (8 steps of 128). Tolerance: each step's f32 sums differ from f64 by
// ~1e-6 relative (test/train/mlp_step.test.ts), and the GPU's pow(beta, t) by ~1e-4 of Adam's bias correction
// (test/kernels/optimizer.test.ts): 2e-5 abs + 1e-3 rel over 8 steps. A step with a missing or doubled update,
// or the moments of another parameter, is off by ~lr = 1e-3. Adam divides by sqrt(v) + eps: where a ReLU sits within
// rounding of 0 on one side only, a gradient of ~1e-6 against 0 is a whole step of lr with eps 1e-8, so the 256-unit
// case takes eps 1e-4 (such a gradient then moves its weight ~1e-5); the 30-6 network has no such unit at this seed.
describe('an MLP epoch trained by the optimizer equals the CPU reference', () => {
  const cases: Array<[string, OptimizerConfig, Record<string, string | number>]> = [
    ['adam, eps 1e-4', optim.Adam({ lr: 1e-3, eps: 1e-4 }), {}],
    ['adam, weight decay 0.1 on the weights', optim.Adam({ lr: 2e-3, betas: [0.8, 0.99], weightDecay: 0.1 }), { hidden: '30,6' }],
    ['sgd, momentum 0.9', optim.SGD({ lr: 0.05, momentum: 0.9 }), {}],
    // The MLP's own weightDecay option: the optimizer's weight decay on the weights.
    ['sgd, momentum 0.5, the model option weightDecay 0.01', optim.SGD({ lr: 0.1, momentum: 0.5 }), { weightDecay: 0.01 }],
  ];
  for (const [what, optimizer, options] of cases) {
    it(`${what}, ${JSON.stringify(options)}: 1,024 samples, batch 128, seed 3`, async () => {
      const gpu = await testGpu();
      const data = await loadFashionMnist();
      const train = limitSplit(data.train, 1024);
      const opts = { batchSize: 128, seed: 3, epoch: 1 };
      const spec = fashionMnistSpec('mlp', options);
      const init = modelDefinition('mlp').init(spec, opts.seed);
      const trainer = await Trainer.create(gpu, { train }, spec, init, { lr: optimizer.lr, optimizer, batchSize: opts.batchSize, seed: opts.seed });
      await trainer.trainEpoch(opts.epoch);
      const gpuParams = await trainer.readParameters();
      const gpuState = await trainer.readOptimizerState();
      trainer.destroy();

      const decayed = { ...optimizer, weightDecay: optimizer.weightDecay || Number(options.weightDecay ?? 0) };
      const cpu = referenceEpoch(spec, init, train, decayed, opts);
      for (const name of Object.keys(init)) {
        expect(gpuParams[name].data, name).not.toEqual(init[name].data); // it trained
        expectClose(gpuParams[name].data, cpu.param[name], { abs: 2e-5, rel: 1e-3 }, name);
      }
      if (optimizer.kind === 'adam') {
        expect([...gpuState['optimizer.step'].data]).toEqual([cpu.t]);
        expectClose(gpuState['W1.exp_avg'].data, cpu.state.W1[0], { abs: 1e-6, rel: 1e-3 }, 'W1.exp_avg');
      } else {
        expectClose(gpuState['W2.momentum_buffer'].data, cpu.state.W2[0], { abs: 1e-5, rel: 1e-3 }, 'W2.momentum_buffer');
      }
    });
  }
});
