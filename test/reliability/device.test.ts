/**
 * GPU faults during training, in-process: a lost device, uncaptured WebGPU errors (validation and out of memory),
 * and a shader that does not compile. Each must end in one GpuError naming the problem, within a bounded time,
 * with the checkpoints of the completed epochs kept.
 */
import { fashionMnistSpec } from '../../src/model/registry.js';
import { STEP_PRELUDE } from '../../src/kernels/kernel.js';
import { describe, expect, it } from 'vitest';
import { limitSplit } from '../../src/data/dataset.js';
import { loadFashionMnist } from '../../src/data/node.js';
import { GpuError } from '../../src/errors.js';
import { type Gpu } from '../../src/gpu/device.js';
import { Kernel } from '../../src/gpu/kernel.js';
import { createNodeGpu } from '../../src/gpu/node.js';
import { readFileSync } from 'node:fs';
import { train, type TrainHooks } from '../../src/train/loop.js';

const options = { spec: fashionMnistSpec('scratch'), epochs: 4, lr: 0.1, batchSize: 256, seed: 0, limit: 6000 };

/** Rejects if `work` has not settled within `ms`: a fault must never turn into a hang. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Trains on a fresh device (each test breaks its own) and returns the error and the epochs checkpointed. */
async function trainUntilFault(hooks: (gpu: Gpu) => TrainHooks, { limit = 6000, epochs = 4 } = {}): Promise<{ error: unknown; saved: number[] }> {
  const data = await loadFashionMnist();
  const gpu = await createNodeGpu();
  const saved: number[] = [];
  try {
    const h = hooks(gpu);
    const checkpoint: TrainHooks['checkpoint'] = async (ck) => {
      saved.push(ck.meta.epoch);
      await h.checkpoint?.(ck);
    };
    await within(20_000, train(gpu, { train: limitSplit(data.train, limit), test: data.test }, { ...options, limit, epochs }, { ...h, checkpoint }));
    return { error: null, saved };
  } catch (error) {
    return { error, saved };
  } finally {
    gpu.device.destroy();
  }
}

describe('GPU device lost', () => {
  it('destroyed once epoch 1 is saved: GpuError with the reason, epoch 1 checkpoint kept, no hang', async () => {
    const { error, saved } = await trainUntilFault((gpu) => ({ checkpoint: (ck) => void (ck.meta.epoch === 1 && gpu.device.destroy()) }));
    expect(error).toBeInstanceOf(GpuError);
    expect((error as Error).message).toBe('GPU device lost (destroyed): device was destroyed; the checkpoint of epoch 1 is kept');
    expect(saved).toEqual([1]);
  });

  it('destroyed by a timer in the middle of an epoch: GpuError, no hang', async () => {
    // The whole training set, so on lavapipe the first epoch is still on the GPU when the timer fires (a fast GPU
    // may have finished some epochs by then: what counts is the error, in bounded time, naming what is kept).
    let timer: NodeJS.Timeout | undefined;
    const { error, saved } = await trainUntilFault((gpu) => ({ onStart: () => void (timer = setTimeout(() => gpu.device.destroy(), 20)) }), { limit: 60000, epochs: 1000 });
    clearTimeout(timer);
    expect(error).toBeInstanceOf(GpuError);
    const kept = saved.length > 0 ? `; the checkpoint of epoch ${saved.at(-1)} is kept` : '';
    expect((error as Error).message).toBe(`GPU device lost (destroyed): device was destroyed${kept}`);
    expect(saved.length).toBeLessThan(1000);
  });

  it('destroyed between an epoch and its checkpoint: that checkpoint is not written', async () => {
    const { error, saved } = await trainUntilFault((gpu) => ({ onEpoch: (r) => void (r.epoch === 2 && gpu.device.destroy()) }));
    expect(error).toBeInstanceOf(GpuError);
    expect((error as Error).message).toBe('GPU device lost (destroyed): device was destroyed; the checkpoint of epoch 1 is kept');
    expect(saved).toEqual([1]);
  });
});

describe('uncaptured WebGPU errors fail the epoch', () => {
  it('a validation error made during epoch 2 stops training with its first line', async () => {
    const { error, saved } = await trainUntilFault((gpu) => ({
      onProgress: (epoch) => {
        if (epoch === 2) gpu.device.createBuffer({ label: 'bad', size: 4, usage: 0xffffff }); // not in any error scope
      },
    }));
    expect(error).toBeInstanceOf(GpuError);
    expect((error as Error).message).toMatch(/^WebGPU validation error: Value \d+ is invalid for WGPUBufferUsage\.; the checkpoint of epoch 1 is kept$/);
    expect(saved).toEqual([1]);
  });

  it('out of memory names the flags to change', async () => {
    const { error, saved } = await trainUntilFault((gpu) => ({
      onEpoch: (r) => {
        if (r.epoch === 2) {
          const event = new GPUUncapturedErrorEvent('uncapturederror', { error: new GPUOutOfMemoryError('Allocation of 3221225472 bytes failed') });
          gpu.device.dispatchEvent(event);
        }
      },
    }));
    expect(error).toBeInstanceOf(GpuError);
    expect((error as Error).message).toBe(
      'GPU out of memory: Allocation of 3221225472 bytes failed; train with a smaller --batch-size or --limit; the checkpoint of epoch 1 is kept',
    );
    // Epoch 2's error arrives before its checkpoint is written: only epoch 1 is saved.
    expect(saved).toEqual([1]);
  });
});

describe('a broken shader', () => {
  const source = readFileSync(new URL('../../shaders/softmax.wgsl', import.meta.url), 'utf8');
  // Lines of the shader file itself: the Step prelude the loader puts in front must not shift them.
  const lineOf = (text: string) => source.split('\n').findIndex((l) => l.includes(text)) + 1;
  const inv = lineOf('let inv = 1.0 / total;');
  const main = lineOf('fn main(');
  const broken: Array<[string, string, RegExp]> = [
    ['a type error', source.replace('let inv = 1.0 / total;', 'let inv: u32 = 1.0 / total;'), new RegExp(`^WGSL compilation failed: shaders/softmax\\.wgsl:${inv}:\\d+: .*'u32'`)],
    ['an unknown name', source.replace('let inv = 1.0 / total;', 'let inv = 1.0 / totl;'), new RegExp(`^WGSL compilation failed: shaders/softmax\\.wgsl:${inv}:19: unresolved value 'totl'$`)],
    ['a syntax error', source.replace('fn main(', 'fn main(('), new RegExp(`^WGSL compilation failed: shaders/softmax\\.wgsl:${main}:\\d+: `)],
    ['no WGSL at all', 'this is not wgsl', /^WGSL compilation failed: shaders\/softmax\.wgsl:1:1: /],
  ];
  for (const [what, code, message] of broken) {
    it(`${what}: GpuError with the file and WGSL line, one line`, async () => {
      const real = await createNodeGpu();
      try {
        // Constructed like createNodeGpu does, with the shader source swapped for the broken one.
        const gpu: Gpu = { ...real, shaders: (name) => (name === 'softmax' ? code : real.shaders(name)) };
        const error = await Kernel.create(gpu, 'softmax', { constants: { N: 10 }, preludes: [STEP_PRELUDE] }).then(() => null, (err: unknown) => err);
        expect(error).toBeInstanceOf(GpuError);
        expect((error as Error).message).toMatch(message);
        expect((error as Error).message).not.toContain('\n');
      } finally {
        real.device.destroy();
      }
    });
  }
});
