/**
 * The CPU twin of the scratch softmax-regression model (model/scratch.ts): one step of d2l 3.6's (softmax, clamped
 * -log p[y], written-out gradients), then plain SGD, from the kernels' twins in the order its separate path records
 * them. (Concise softmax regression, 3.7, is a Sequential: its twin composes from its layers', reference/network.ts.)
 */
import type { ReferenceModel } from '../model/model.js';
import type { Parameters } from '../model/tensors.js';
import { argmaxAccuracy } from './argmax_accuracy.js';
import { biasGrad } from './bias_grad.js';
import { crossEntropy } from './cross_entropy.js';
import { matmulBias } from './matmul_bias.js';
import { sgdUpdate } from './optimizer.js';
import { softmax } from './softmax.js';
import { softmaxCrossEntropyGrad } from './softmax_cross_entropy_grad.js';
import { weightGrad } from './weight_grad.js';

function softmaxStep(params: Parameters, x: Float32Array, y: Uint32Array, rows: number, lr: number): { lossSum: number; correct: number } {
  const [K, N] = params.W.shape;
  const logits = matmulBias(x, params.W.data, params.b.data, rows, K, N);
  const probs = softmax(logits, rows, N);
  const lossSum = crossEntropy(probs, y, rows, N).sum;
  const correct = argmaxAccuracy(probs, y, rows, N).correct;
  const dlogits = softmaxCrossEntropyGrad(probs, y, rows, N);
  sgdUpdate(params.W.data, weightGrad(x, dlogits, rows, K, N), lr);
  sgdUpdate(params.b.data, biasGrad(dlogits, rows, N), lr);
  return { lossSum, correct };
}

/** The twin of the scratch model (its fused path computes the same step). */
export const softmaxReference: ReferenceModel = {
  step: (_spec, params, x, y, rows, lr) => softmaxStep(params, x, y, rows, lr),
  forward: (_spec, params, x, rows) => matmulBias(x, params.W.data, params.b.data, rows, params.W.shape[0], params.W.shape[1]),
};
