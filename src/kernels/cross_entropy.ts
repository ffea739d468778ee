import { defineKernel } from './kernel.js';

/** loss[r] = -log(probs[r, y[r]]) and loss_sum += their sum; a single workgroup does the reduction. */
export const crossEntropy = defineKernel<'probs' | 'y' | 'loss' | 'loss_sum', 'N'>({
  shader: 'cross_entropy',
  shape: ['N'],
  step: true,
  tunable: false,
  grid: () => [1],
});
