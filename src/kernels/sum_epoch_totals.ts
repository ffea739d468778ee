import { defineKernel } from './kernel.js';

/** loss_sum = sum(sample_loss), correct = sum(sample_hit) over SAMPLES positions; one workgroup, once per epoch. */
export const sumEpochTotals = defineKernel<'sample_loss' | 'sample_hit' | 'loss_sum' | 'correct', 'SAMPLES'>({
  shader: 'sum_epoch_totals',
  shape: ['SAMPLES'],
  step: false,
  tunable: false,
  grid: () => [1],
});
