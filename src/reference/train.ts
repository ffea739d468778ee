/**
 * The CPU twin of a whole training step and epoch, built from the kernels' CPU twins in the same order the
 * GPU records them. Used to check the GPU trainer end to end and as the benchmark's sanity floor.
 */
import { epochOrder } from '../data/minibatches.js';
import type { ModelKind } from '../model/model.js';
import type { Parameters } from '../model/parameters.js';
import { argmaxAccuracy } from './argmax_accuracy.js';
import { biasGrad } from './bias_grad.js';
import { crossEntropy } from './cross_entropy.js';
import { gatherMinibatch } from './gather_minibatch.js';
import { logSoftmaxCrossEntropy } from './log_softmax_cross_entropy.js';
import { matmulBias } from './matmul_bias.js';
import { sgdUpdate } from './sgd_update.js';
import { softmax } from './softmax.js';
import { softmaxCrossEntropyGrad } from './softmax_cross_entropy_grad.js';
import { weightGrad } from './weight_grad.js';

export interface ReferenceSplit {
  images: Uint8Array; // [count, features] u8
  labels: Uint8Array; // [count]
  count: number;
}

/** One minibatch step on the CPU; updates `params` in place and returns the batch's loss sum and hits. */
export function trainStep(model: ModelKind, params: Parameters, x: Float32Array, y: Uint32Array, rows: number, lr: number): { lossSum: number; correct: number } {
  const { features: K, classes: N } = params;
  const logits = matmulBias(x, params.weights, params.bias, rows, K, N);
  let lossSum: number;
  let dlogits: Float32Array;
  let correct: number;
  if (model === 'scratch') {
    const probs = softmax(logits, rows, N);
    lossSum = crossEntropy(probs, y, rows, N).sum;
    correct = argmaxAccuracy(probs, y, rows, N).correct;
    dlogits = softmaxCrossEntropyGrad(probs, y, rows, N);
  } else {
    const fused = logSoftmaxCrossEntropy(logits, y, rows, N);
    lossSum = fused.sum;
    correct = argmaxAccuracy(logits, y, rows, N).correct;
    dlogits = fused.dlogits;
  }
  sgdUpdate(params.weights, weightGrad(x, dlogits, rows, K, N), lr);
  sgdUpdate(params.bias, biasGrad(dlogits, rows, N), lr);
  return { lossSum, correct };
}

/** One epoch with the same shuffle as the GPU trainer (epochOrder) and the same step boundaries. */
export function trainEpoch(
  model: ModelKind,
  params: Parameters,
  split: ReferenceSplit,
  opts: { lr: number; batchSize: number; seed: number; epoch: number },
): { loss: number; trainAccuracy: number } {
  const order = epochOrder(split.count, opts.seed, opts.epoch);
  let lossSum = 0;
  let correct = 0;
  for (let row0 = 0; row0 < split.count; row0 += opts.batchSize) {
    const rows = Math.min(opts.batchSize, split.count - row0);
    const { x, y } = gatherMinibatch(split.images, split.labels, order, row0, rows, params.features);
    const r = trainStep(model, params, x, y, rows, opts.lr);
    lossSum += r.lossSum;
    correct += r.correct;
  }
  return { loss: lossSum / split.count, trainAccuracy: correct / split.count };
}

/** Test loss (stable form) and accuracy on the CPU. */
export function evaluate(params: Parameters, split: ReferenceSplit): { loss: number; accuracy: number } {
  const { features: K, classes: N } = params;
  const all = Uint32Array.from({ length: split.count }, (_, i) => i);
  const { x, y } = gatherMinibatch(split.images, split.labels, all, 0, split.count, K);
  const logits = matmulBias(x, params.weights, params.bias, split.count, K, N);
  return { loss: logSoftmaxCrossEntropy(logits, y, split.count, N).sum / split.count, accuracy: argmaxAccuracy(logits, y, split.count, N).correct / split.count };
}
