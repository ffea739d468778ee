/**
 * The optimizers' update kernels, the entry points of shaders/optimizer.wgsl: SGD (plain, with weight decay, with
 * momentum) and Adam (its GPU step count, then its update). Each update covers COUNT elements, one invocation per
 * 4 (buffers from gpu/buffers.ts, padded to whole vec4s), on a 2-D grid for any size.
 */
import { COPY_DST, createBufferWith, UNIFORM } from '../gpu/buffers.js';
import { ceilDiv, type Constants, defineKernel, spreadGrid } from './kernel.js';

const update = { shader: 'optimizer', shape: ['COUNT'] as const, step: false, tunable: true, preludes: ['prelude/vec4_grid'], grid: (c: Constants) => spreadGrid(ceilDiv(ceilDiv(c.COUNT, 4), c.WG)) };

/** param -= lr * grad. */
export const sgdUpdate = defineKernel<'sgd' | 'param' | 'grad', 'COUNT'>({ ...update, entryPoint: 'sgd_update' });

/** param -= lr * (grad + wd * param), torch.optim.SGD(weight_decay=wd). */
export const sgdWeightDecay = defineKernel<'sgd' | 'param' | 'grad', 'COUNT'>({ ...update, entryPoint: 'sgd_weight_decay' });

/** SGD with momentum: buf = momentum * buf + (grad + wd * param), param -= lr * buf. */
export const sgdMomentum = defineKernel<'sgd' | 'param' | 'grad' | 'momentum_buffer', 'COUNT'>({ ...update, entryPoint: 'sgd_momentum' });

/** One Adam step, with the bias corrections of step_count[0] (advanced before it by optimizerStepCount). */
export const adamUpdate = defineKernel<'adam' | 'param' | 'grad' | 'exp_avg' | 'exp_avg_sq' | 'step_count', 'COUNT'>({ ...update, entryPoint: 'adam_update' });

/** step_count[0] += 1: Adam's step count t, advanced on the GPU once per step, before the updates that read it. */
export const optimizerStepCount = defineKernel<'step_count'>({
  shader: 'optimizer',
  entryPoint: 'adam_step_count',
  shape: [],
  preludes: ['prelude/vec4_grid'],
  step: false,
  tunable: false,
  grid: () => [1],
});

/**
 * The Sgd uniform { lr, wd, momentum: f32 }, padded to 16 bytes: sgd_update reads lr, sgd_weight_decay lr and wd.
 * Shared by every kernel that applies a plain update (the fused kernels too).
 */
export function createSgdUniform(device: GPUDevice, label: string, lr: number, weightDecay = 0, momentum = 0): GPUBuffer {
  return createBufferWith(device, label, Float32Array.of(lr, weightDecay, momentum, 0), UNIFORM | COPY_DST);
}

/** The Adam uniform: { lr, beta1, beta2, eps, wd: f32 }, padded to 32 bytes. */
export function createAdamUniform(device: GPUDevice, label: string, h: { lr: number; betas: readonly [number, number]; eps: number; weightDecay: number }): GPUBuffer {
  return createBufferWith(device, label, Float32Array.of(h.lr, h.betas[0], h.betas[1], h.eps, h.weightDecay, 0, 0, 0), UNIFORM | COPY_DST);
}
