import { defineKernel } from './kernel.js';

/** step_count[0] += 1: an optimizer's step count t, advanced on the GPU once per step, before the updates that read it. */
export const optimizerStepCount = defineKernel<'step_count'>({
  shader: 'optimizer_step_count',
  shape: [],
  step: false,
  tunable: false,
  grid: () => [1],
});
