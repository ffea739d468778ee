import { COPY_DST, createBufferWith, UNIFORM } from '../gpu/buffers.js';
import { ceilDiv, defineKernel, spreadGrid } from './kernel.js';

/** param -= lr * grad over COUNT elements; one invocation per 4 elements on a 2-D grid of any size (buffers from gpu/buffers.ts, padded to whole vec4s). */
export const sgdUpdate = defineKernel<'sgd' | 'param' | 'grad', 'COUNT'>({
  shader: 'sgd_update',
  shape: ['COUNT'],
  step: false,
  tunable: true,
  grid: (c) => spreadGrid(ceilDiv(ceilDiv(c.COUNT, 4), c.WG)),
});

/** The Sgd uniform: { lr: f32 }, padded to 16 bytes. Shared by every kernel that applies an update. */
export function createSgdUniform(device: GPUDevice, label: string, lr: number): GPUBuffer {
  return createBufferWith(device, label, Float32Array.of(lr, 0, 0, 0), UNIFORM | COPY_DST);
}
