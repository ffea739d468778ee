import { defineKernel } from './kernel.js';

/**
 * Fused stable cross-entropy on logits (PyTorch's CrossEntropyLoss): per-sample loss, loss_sum, and
 * dlogits unless created with constants { WRITE_GRAD: 0 } (evaluation). A single workgroup.
 */
export const logSoftmaxCrossEntropy = defineKernel<'logits' | 'y' | 'loss' | 'loss_sum' | 'dlogits', 'N'>({
  shader: 'log_softmax_cross_entropy',
  shape: ['N'],
  step: true,
  tunable: false,
  grid: () => [1],
});
