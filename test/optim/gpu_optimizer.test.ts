/**
 * createOptimizer (src/optim/gpu.ts) over a few parameters: its state's names and first step as PyTorch's, a
 * state read back and restored continues bit for bit, a partial or misshapen state is refused, weight decay only
 * where a parameter says so, and setLearningRate between steps.
 */
import { describe, expect, it } from 'vitest';
import { CheckpointError, UsageError } from '../../src/errors.js';
import type { Gpu } from '../../src/gpu/device.js';
import type { Parameters } from '../../src/model/tensors.js';
import { createOptimizer, optim, type OptimizerConfig, type TrainableParameter } from '../../src/optim/index.js';
import { expectClose, readFloats, runPass, testGpu, upload } from '../kernels/harness.js';

const W = Float32Array.from({ length: 12 }, (_, i) => (i - 6) / 10);
const B = Float32Array.of(0.5, -0.25, 0.125);
const GW = Float32Array.from({ length: 12 }, (_, i) => ((i * 7) % 5) / 100 - 0.02);
const GB = Float32Array.of(0.01, -0.02, 0.03);

function params(gpu: Gpu): TrainableParameter[] {
  return [
    { name: 'fc.weight', shape: [4, 3], value: upload(gpu, W), grad: upload(gpu, GW), decay: true },
    { name: 'fc.bias', shape: [3], value: upload(gpu, B), grad: upload(gpu, GB), decay: false },
  ];
}

async function steps(gpu: Gpu, p: TrainableParameter[], config: OptimizerConfig, count: number, state?: Parameters) {
  const optimizer = await createOptimizer(gpu, config, p, state);
  for (let i = 0; i < count; i++) await runPass(gpu, (pass) => optimizer.encodeStep(pass, null as unknown as GPUBindGroup));
  return optimizer;
}

const values = async (gpu: Gpu, p: TrainableParameter[]) => Promise.all(p.map((t) => readFloats(gpu, t.value, t.shape.reduce((a, b) => a * b, 1))));

describe('createOptimizer', () => {
  it("names its state as PyTorch's optimizers do; SGD's first momentum step is buf = grad", async () => {
    const gpu = await testGpu();
    const p = params(gpu);
    const sgd = await steps(gpu, p, optim.SGD({ lr: 0.5, momentum: 0.9 }), 1);
    const state = await sgd.readState();
    expect(Object.keys(state)).toEqual(['fc.weight.momentum_buffer', 'fc.bias.momentum_buffer']);
    expect(state['fc.weight.momentum_buffer'].data).toEqual(GW);
    expect(state['fc.bias.momentum_buffer'].shape).toEqual([3]);
    const adam = await createOptimizer(gpu, optim.Adam(), params(gpu));
    expect(Object.keys(await adam.readState())).toEqual(['fc.weight.exp_avg', 'fc.bias.exp_avg', 'fc.weight.exp_avg_sq', 'fc.bias.exp_avg_sq', 'optimizer.step']);
    expect(await (await createOptimizer(gpu, optim.SGD({ lr: 0.1 }), params(gpu))).readState()).toEqual({});
  });

  for (const config of [optim.Adam({ lr: 0.01, weightDecay: 0.1 }), optim.SGD({ lr: 0.1, momentum: 0.8, weightDecay: 0.1 })]) {
    it(`${config.kind}: 2 steps, or 1 step, its state read back and restored into a new optimizer, then 1: the same bits`, async () => {
      const gpu = await testGpu();
      const straight = params(gpu);
      await steps(gpu, straight, config, 2);
      const split = params(gpu);
      const first = await steps(gpu, split, config, 1);
      const state = await first.readState();
      first.destroy();
      const second = await steps(gpu, split, config, 1, state);
      expect(await values(gpu, split)).toEqual(await values(gpu, straight));
      if (config.kind === 'adam') expect([...(await second.readState())['optimizer.step'].data]).toEqual([2]);
    });
  }

  it('refuses a state that has some of its tensors but not all, or one of the wrong shape', async () => {
    const gpu = await testGpu();
    const adam = await steps(gpu, params(gpu), optim.Adam(), 1);
    const { 'fc.bias.exp_avg_sq': _, ...partial } = await adam.readState();
    const make = (state: Parameters) => createOptimizer(gpu, optim.Adam(), params(gpu), state);
    await expect(make(partial)).rejects.toThrow(CheckpointError);
    await expect(make(partial)).rejects.toThrow("the adam optimizer's state lacks fc.bias.exp_avg_sq (it has 4 of its 5 tensors); resume from a checkpoint written whole");
    const wrong = { ...partial, 'fc.bias.exp_avg_sq': { shape: [4], data: new Float32Array(4) } };
    await expect(make(wrong)).rejects.toThrow('optimizer state fc.bias.exp_avg_sq has shape [4], the parameter needs [3]');
    // None of its names: a fresh start (a plain-SGD checkpoint's state, for example, is empty).
    await expect(make({})).resolves.toBeDefined();
  });

  it('decays only the parameters marked decay', async () => {
    const gpu = await testGpu();
    const p = params(gpu);
    await steps(gpu, p, optim.SGD({ lr: 0.5, weightDecay: 0.1 }), 1);
    const [w, b] = await values(gpu, p);
    // Within an ulp or two (the GPU may fuse the multiply-adds); without decay the weights would be off by ~0.03.
    expectClose(w, Float64Array.from(W, (v, i) => v - 0.5 * (GW[i] + 0.1 * v)), { abs: 2e-7 }, 'weight');
    expectClose(b, Float64Array.from(B, (v, i) => v - 0.5 * GB[i]), { abs: 2e-7 }, 'bias');
  });

  it('setLearningRate: the next steps take the new rate, the state goes on; a bad rate is refused', async () => {
    const gpu = await testGpu();
    const p = params(gpu);
    const adam = await steps(gpu, p, optim.Adam({ lr: 0.01 }), 1);
    const before = await values(gpu, p);
    adam.setLearningRate(0.001);
    expect(adam.config.lr).toBe(0.001);
    await runPass(gpu, (pass) => adam.encodeStep(pass, null as unknown as GPUBindGroup));
    const after = await values(gpu, p);
    // Adam's step is about lr per element: 0.001 now, not 0.01.
    const moved = after[0].map((v, i) => Math.abs(v - before[0][i]));
    expect(Math.max(...moved)).toBeLessThan(0.0015);
    expect(Math.max(...moved)).toBeGreaterThan(0.0005);
    expect([...(await adam.readState())['optimizer.step'].data]).toEqual([2]);
    expect(() => adam.setLearningRate(-1)).toThrow(UsageError);
  });
});
