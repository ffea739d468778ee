/**
 * The CPU twin of the softmax-regression models (model/softmax_regression.ts): one step of d2l 3.6's (softmax,
 * clamped -log p[y], written-out gradients) or 3.7's (log-sum-exp cross-entropy), then plain SGD, from the
 * kernels' twins in the order the separate path records them.
 */
import type { ReferenceModel } from '../model/model.js';
import type { Parameters } from '../model/tensors.js';
import { argmaxAccuracy } from './argmax_accuracy.js';
import { biasGrad } from './bias_grad.js';
import { crossEntropy } from './cross_entropy.js';
import { logSoftmaxCrossEntropy } from './log_softmax_cross_entropy.js';
import { matmulBias } from './matmul_bias.js';
import { sgdUpdate } from './optimizer.js';
import { softmax } from './softmax.js';
import { softmaxCrossEntropyGrad } from './softmax_cross_entropy_grad.js';
import { weightGrad } from './weight_grad.js';

function softmaxStep(stableLoss: boolean, params: Parameters, x: Float32Array, y: Uint32Array, rows: number, lr: number): { lossSum: number; correct: number } {
  const [K, N] = params.W.shape;
  const logits = matmulBias(x, params.W.data, params.b.data, rows, K, N);
  let lossSum: number;
  let dlogits: Float32Array;
  let correct: number;
  if (stableLoss) {
    const fused = logSoftmaxCrossEntropy(logits, y, rows, N);
    lossSum = fused.sum;
    correct = argmaxAccuracy(logits, y, rows, N).correct;
    dlogits = fused.dlogits;
  } else {
    const probs = softmax(logits, rows, N);
    lossSum = crossEntropy(probs, y, rows, N).sum;
    correct = argmaxAccuracy(probs, y, rows, N).correct;
    dlogits = softmaxCrossEntropyGrad(probs, y, rows, N);
  }
  sgdUpdate(params.W.data, weightGrad(x, dlogits, rows, K, N), lr);
  sgdUpdate(params.b.data, biasGrad(dlogits, rows, N), lr);
  return { lossSum, correct };
}

/** The twin of a softmax-regression model: `stableLoss` (3.7, concise) or the clamped -log p[y] of 3.6 (scratch). */
export function softmaxReference(stableLoss: boolean): ReferenceModel {
  return {
    step: (_spec, params, x, y, rows, lr) => softmaxStep(stableLoss, params, x, y, rows, lr),
    forward: (_spec, params, x, rows) => matmulBias(x, params.W.data, params.b.data, rows, params.W.shape[0], params.W.shape[1]),
  };
}
