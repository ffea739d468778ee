import { ceilDiv, defineKernel } from './kernel.js';

/** predictions[r] = argmax(logits[r]); correct += hits. One invocation per row. */
export const argmaxAccuracy = defineKernel<'logits' | 'y' | 'predictions' | 'correct'>({
  shader: 'argmax_accuracy',
  tunable: true,
  grid: (d, wg) => [ceilDiv(d.rows, wg)],
});
