import { COPY_DST, createBufferWith, UNIFORM } from '../gpu/buffers.js';
import { ceilDiv, defineKernel, spreadGrid } from './kernel.js';

/**
 * SGD with momentum over COUNT elements: buf = momentum * buf + (grad + wd * param), param -= lr * buf; one
 * invocation per 4 elements (buffers from gpu/buffers.ts, padded to whole vec4s), on a 2-D grid for any size.
 */
export const sgdMomentum = defineKernel<'sgd' | 'param' | 'grad' | 'momentum_buffer', 'COUNT'>({
  shader: 'sgd_momentum',
  shape: ['COUNT'],
  step: false,
  tunable: true,
  grid: (c) => spreadGrid(ceilDiv(ceilDiv(c.COUNT, 4), c.WG)),
});

/** The Sgd uniform of sgd_momentum: { lr, wd, momentum: f32 }, padded to 16 bytes. */
export function createSgdMomentumUniform(device: GPUDevice, label: string, lr: number, weightDecay: number, momentum: number): GPUBuffer {
  return createBufferWith(device, label, Float32Array.of(lr, weightDecay, momentum, 0), UNIFORM | COPY_DST);
}
