/** CPU twin of shaders/optimizer_step_count.wgsl: the step count after one more step. */
export const optimizerStepCount = (t: number): number => t + 1;
