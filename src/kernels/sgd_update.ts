import { createBufferWith, UNIFORM } from '../gpu/buffers.js';
import { ceilDiv, defineKernel } from './kernel.js';

/** param -= lr * grad over `count` elements. Its dims are its own uniform, not the step's. */
export const sgdUpdate = defineKernel<'sgd' | 'param' | 'grad'>({
  shader: 'sgd_update',
  tunable: true,
  // `rows` carries the element count for this kernel (see sgdDims).
  grid: (d, wg) => [ceilDiv(d.rows, wg)],
});

/** Dims for sgdUpdate's grid: one invocation per parameter element. */
export const sgdDims = (count: number) => ({ rows: count, features: 0, classes: 0 });

/** The Sgd uniform: { lr: f32, count: u32 }, padded to 16 bytes. */
export function createSgdUniform(device: GPUDevice, label: string, lr: number, count: number): GPUBuffer {
  const bytes = new ArrayBuffer(16);
  new Float32Array(bytes, 0, 1)[0] = lr;
  new Uint32Array(bytes, 4, 1)[0] = count;
  return createBufferWith(device, label, new Uint8Array(bytes), UNIFORM | 0x08 /* COPY_DST */);
}
