import { createBufferWith, UNIFORM } from '../gpu/buffers.js';
import { defineKernel } from './kernel.js';

/** loss_sum = sum(sample_loss), correct = sum(sample_hit); one workgroup, once per epoch. */
export const sumEpochTotals = defineKernel<'count' | 'sample_loss' | 'sample_hit' | 'loss_sum' | 'correct'>({
  shader: 'sum_epoch_totals',
  tunable: false,
  grid: () => [1],
});

/** The Count uniform: { samples: u32 }, padded to 16 bytes. */
export function createCountUniform(device: GPUDevice, samples: number): GPUBuffer {
  return createBufferWith(device, 'sample count', Uint32Array.of(samples, 0, 0, 0), UNIFORM | 0x08);
}
