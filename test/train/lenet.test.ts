import { describe, expect, it } from 'vitest';
import { limitSplit } from '../../src/data/dataset.js';
import { loadFashionMnist } from '../../src/data/node.js';
import { lenetModel } from '../../src/model/lenet.js';
import { fashionMnistSpec } from '../../src/model/registry.js';
import { cloneParameters } from '../../src/model/tensors.js';
import { twinStep, type TwinTensors } from '../../src/reference/network.js';
import { trainEpoch } from '../../src/reference/train.js';
import { Rng } from '../../src/random.js';
import { Trainer } from '../../src/train/trainer.js';
import { expectClose, testGpu } from '../kernels/harness.js';

/** The mean cross-entropy of a batch in f64 and every tensor's gradient, from the network twin (composed from the layers' twins). */
function twin(spec: ReturnType<typeof lenetModel.spec>, p: TwinTensors, x: Float64Array, y: Uint32Array, rows: number) {
  const { net, input } = lenetModel.network(spec);
  return twinStep(net, input, x, y, rows, spec.classes, p, { training: true, seed: 0, step: { epoch: 0, index: 0 } });
}

// LeNet's CPU twin (the network twin's backward: the twins of every backward kernel, chained as the GPU step
// chains them) against central finite differences of its forward pass, all in f64, on a small LeNet (12x12
// images: conv1 12x12 -> pool 6x6 -> conv2 2x2 -> pool 1x1 -> 16 -> 120 -> 84 -> 10) and 3 samples.
// Tolerance: central differences with h = 1e-5 have truncation error ~h²·|f'''| ≈ 1e-10 and rounding ~1e-16/h
// ≈ 1e-11, far below 1e-7 abs + 1e-5 rel; a wrong index or a missing factor is off by O(|gradient|).
describe('LeNet gradients: analytic (CPU twin) = finite differences, f64', () => {
  for (const options of [{ activation: 'sigmoid', pool: 'avg' }, { activation: 'relu', pool: 'max' }]) {
    it(`${options.activation} + ${options.pool}-pool`, () => {
      const spec = lenetModel.spec({ channels: 1, height: 12, width: 12 }, 10, options);
      const p: TwinTensors = Object.fromEntries(Object.entries(lenetModel.init(spec, 5)).map(([k, t]) => [k, Float64Array.from(t.data)]));
      const rng = new Rng(11);
      const rows = 3;
      const x = Float64Array.from({ length: rows * 144 }, () => rng.uniform());
      const y = Uint32Array.of(2, 7, 0);
      const { grads } = twin(spec, p, x, y, rows);
      const meanLoss = () => twin(spec, p, x, y, rows).loss;
      const h = 1e-5;
      for (const [name, data] of Object.entries(p)) {
        // Every bias; 12 random weights per weight tensor.
        const indices = data.length <= 120 ? Array.from(data.keys()) : Array.from({ length: 12 }, () => rng.int(data.length));
        const numeric: number[] = [];
        const analytic: number[] = [];
        const f0 = meanLoss();
        for (const i of indices) {
          const v = data[i];
          data[i] = v + h;
          const up = meanLoss();
          data[i] = v - h;
          const down = meanLoss();
          data[i] = v;
          // A ReLU or max-pool kink within ±h makes the one-sided slopes disagree: no derivative to compare.
          const right = (up - f0) / h;
          const left = (f0 - down) / h;
          if (Math.abs(right - left) > 1e-3 * Math.max(Math.abs(right), Math.abs(left), 1e-6)) continue;
          numeric.push((up - down) / (2 * h));
          analytic.push(grads[name][i]);
        }
        expect(numeric.length, `${name}: points away from kinks`).toBeGreaterThanOrEqual(indices.length - 2);
        expectClose(analytic, numeric, { abs: 1e-7, rel: 1e-5 }, `∂loss/∂${name}`);
        expect(analytic.some((g) => g !== 0), `${name} has a gradient`).toBe(true);
      }
    });
  }
});

// One epoch on the first 1,024 training images (4 steps of 256), GPU against the CPU reference from the same
// seed. Tolerance: the GPU sums in f32 in another order than the f64-accumulating twins (~1e-6 relative per
// layer); 4 SGD steps at lr 0.9 amplify that through 5 layers, so weights agree to ~1e-5 of their size
// (Xavier-uniform ~0.1-0.4): 2e-5 abs + 1e-3 rel. Loss: f32 sums, 1e-4 relative; accuracy: a near tie may
// flip a sample or two, 2 / 1024.
describe('a LeNet epoch on the GPU equals the CPU reference', () => {
  for (const [options, lr] of [[{ activation: 'sigmoid', pool: 'avg' }, 0.9], [{ activation: 'relu', pool: 'max' }, 0.1]] as const) {
    it(`${options.activation} + ${options.pool}-pool: 1,024 samples, batch 256, lr ${lr}, seed 3`, async () => {
      const gpu = await testGpu();
      const data = await loadFashionMnist();
      const train = limitSplit(data.train, 1024);
      const opts = { lr, batchSize: 256, seed: 3 };
      const spec = fashionMnistSpec('lenet', options);
      const init = lenetModel.init(spec, opts.seed);
      const trainer = await Trainer.create(gpu, { train }, spec, init, opts);
      const gpuMetrics = await trainer.trainEpoch(0);
      const gpuParams = await trainer.readParameters();
      trainer.destroy();

      const cpuParams = cloneParameters(init);
      const cpuMetrics = trainEpoch(spec, cpuParams, train, { ...opts, epoch: 0 });
      for (const name of Object.keys(init)) {
        expect(gpuParams[name].data, `${name} trained`).not.toEqual(init[name].data);
        expectClose(gpuParams[name].data, cpuParams[name].data, { abs: 2e-5, rel: 1e-3 }, name);
      }
      expectClose([gpuMetrics.loss], [cpuMetrics.loss], { abs: 0, rel: 1e-4 }, 'loss');
      expect(Math.abs(gpuMetrics.trainAccuracy - cpuMetrics.trainAccuracy)).toBeLessThanOrEqual(2 / 1024);
    });
  }
});
