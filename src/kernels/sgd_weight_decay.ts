import { COPY_DST, createBufferWith, UNIFORM } from '../gpu/buffers.js';
import { ceilDiv, defineKernel, spreadGrid } from './kernel.js';

/** param -= lr * (grad + wd * param) over COUNT elements; one invocation per 4 elements on a 2-D grid of any size (buffers from gpu/buffers.ts, padded to whole vec4s). */
export const sgdWeightDecay = defineKernel<'sgd' | 'param' | 'grad', 'COUNT'>({
  shader: 'sgd_weight_decay',
  shape: ['COUNT'],
  step: false,
  tunable: true,
  grid: (c) => spreadGrid(ceilDiv(ceilDiv(c.COUNT, 4), c.WG)),
});

/** The Sgd uniform of sgd_weight_decay: { lr: f32, wd: f32 }, padded to 16 bytes. */
export function createSgdDecayUniform(device: GPUDevice, label: string, lr: number, weightDecay: number): GPUBuffer {
  return createBufferWith(device, label, Float32Array.of(lr, weightDecay, 0, 0), UNIFORM | COPY_DST);
}
