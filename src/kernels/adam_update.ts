import { COPY_DST, createBufferWith, UNIFORM } from '../gpu/buffers.js';
import { ceilDiv, defineKernel, spreadGrid } from './kernel.js';

/**
 * One Adam step over COUNT elements, with the bias corrections of step_count[0] (advanced before it by
 * optimizerStepCount); one invocation per 4 elements (buffers from gpu/buffers.ts, padded to whole vec4s), on a
 * 2-D grid for any size.
 */
export const adamUpdate = defineKernel<'adam' | 'param' | 'grad' | 'exp_avg' | 'exp_avg_sq' | 'step_count', 'COUNT'>({
  shader: 'adam_update',
  shape: ['COUNT'],
  step: false,
  tunable: true,
  grid: (c) => spreadGrid(ceilDiv(ceilDiv(c.COUNT, 4), c.WG)),
});

/** The Adam uniform: { lr, beta1, beta2, eps, wd: f32 }, padded to 32 bytes. */
export function createAdamUniform(device: GPUDevice, label: string, h: { lr: number; betas: readonly [number, number]; eps: number; weightDecay: number }): GPUBuffer {
  return createBufferWith(device, label, Float32Array.of(h.lr, h.betas[0], h.betas[1], h.eps, h.weightDecay, 0, 0, 0), UNIFORM | COPY_DST);
}
