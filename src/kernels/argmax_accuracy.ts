import { ceilDiv, defineKernel } from './kernel.js';

/** predictions[r] = argmax(logits[r]); correct += hits. One invocation per row. */
export const argmaxAccuracy = defineKernel<'logits' | 'y' | 'predictions' | 'correct', 'N'>({
  shader: 'argmax_accuracy',
  shape: ['N'],
  step: true,
  tunable: true,
  grid: (c, rows) => [ceilDiv(rows, c.WG)],
});
