/**
 * CPU twin of shaders/fused_forward_loss_grad.wgsl, composed from the separate kernels' twins: the fused
 * kernel must compute exactly what they compute together.
 */
import { argmaxAccuracy } from './argmax_accuracy.js';
import { crossEntropy } from './cross_entropy.js';
import { gatherMinibatch } from './gather_minibatch.js';
import { logSoftmaxCrossEntropy } from './log_softmax_cross_entropy.js';
import { matmulBias } from './matmul_bias.js';
import { softmax } from './softmax.js';

export function fusedForwardLossGrad(
  images: Uint8Array,
  labels: ArrayLike<number>,
  order: ArrayLike<number>,
  w: Float32Array,
  b: Float32Array,
  row0: number,
  rows: number,
  features: number,
  classes: number,
  stableLoss: boolean,
): { dlogits: Float32Array; loss: Float32Array; hit: Uint32Array } {
  const { x, y } = gatherMinibatch(images, labels, order, row0, rows, features);
  const logits = matmulBias(x, w, b, rows, features, classes);
  const fused = logSoftmaxCrossEntropy(logits, y, rows, classes);
  const loss = stableLoss ? fused.loss : crossEntropy(softmax(logits, rows, classes), y, rows, classes).loss;
  const { predictions } = argmaxAccuracy(logits, y, rows, classes);
  return { dlogits: fused.dlogits, loss, hit: Uint32Array.from(predictions, (p, r) => (p === y[r] ? 1 : 0)) };
}
