/**
 * The CPU twin of a whole training step and epoch, built from the kernels' CPU twins in the same order the
 * GPU records them. Used to check the GPU trainer end to end and as the benchmark's sanity floor.
 */
import { epochOrder } from '../data/minibatches.js';
import type { ModelSpec } from '../model/model.js';
import type { Parameters } from '../model/tensors.js';
import { argmaxAccuracy } from './argmax_accuracy.js';
import { biasGrad } from './bias_grad.js';
import { crossEntropy } from './cross_entropy.js';
import { gatherMinibatch } from './gather_minibatch.js';
import { lenetForward, lenetStep } from './lenet.js';
import { logSoftmaxCrossEntropy } from './log_softmax_cross_entropy.js';
import { matmulBias } from './matmul_bias.js';
import { mlpReference } from './mlp.js';
import { sgdUpdate } from './optimizer.js';
import { softmax } from './softmax.js';
import { softmaxCrossEntropyGrad } from './softmax_cross_entropy_grad.js';
import { weightGrad } from './weight_grad.js';

import type { ImageSplit } from '../data/dataset.js';

/**
 * One minibatch step of a model on the CPU: updates `params` in place, returns the batch's loss sum and hits.
 * `x`: [rows, pixels] f32 (pixels / 255), `y`: [rows] labels. `index`: the step's number since the run's start.
 */
export type ReferenceStep = (spec: ModelSpec, params: Parameters, x: Float32Array, y: Uint32Array, rows: number, lr: number, step: { seed: number; epoch: number; index: number }) => { lossSum: number; correct: number };
/** Logits [rows, classes] of a model in evaluation mode. */
export type ReferenceForward = (spec: ModelSpec, params: Parameters, x: Float32Array, rows: number) => Float32Array;

export interface ReferenceModel {
  step: ReferenceStep;
  forward: ReferenceForward;
}

/** Softmax regression (d2l 3.6 scratch: clamped -log p[y]; 3.7 concise: log-sum-exp). */
export const softmaxReference: ReferenceModel = {
  step: (spec, params, x, y, rows, lr) => softmaxStep(spec.kind === 'scratch', params, x, y, rows, lr),
  forward: (spec, params, x, rows) => matmulBias(x, params.W.data, params.b.data, rows, params.W.shape[0], params.W.shape[1]),
};

/** The CPU twin of each model kind. */
export const REFERENCE_MODELS: Record<string, ReferenceModel> = {
  scratch: softmaxReference,
  concise: softmaxReference,
  'mlp-scratch': mlpReference,
  mlp: mlpReference,
  lenet: { step: (spec, params, x, y, rows, lr) => lenetStep(spec, params, x, y, rows, lr), forward: lenetForward },
};

function referenceOf(spec: ModelSpec): ReferenceModel {
  const model = REFERENCE_MODELS[spec.kind];
  if (!model) throw new Error(`no CPU reference for model ${spec.kind}`);
  return model;
}

function softmaxStep(scratch: boolean, params: Parameters, x: Float32Array, y: Uint32Array, rows: number, lr: number): { lossSum: number; correct: number } {
  const [K, N] = params.W.shape;
  const logits = matmulBias(x, params.W.data, params.b.data, rows, K, N);
  let lossSum: number;
  let dlogits: Float32Array;
  let correct: number;
  if (scratch) {
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
  sgdUpdate(params.W.data, weightGrad(x, dlogits, rows, K, N), lr);
  sgdUpdate(params.b.data, biasGrad(dlogits, rows, N), lr);
  return { lossSum, correct };
}

/** One epoch with the same shuffle as the GPU trainer (epochOrder) and the same step boundaries. */
export function trainEpoch(
  spec: ModelSpec,
  params: Parameters,
  split: ImageSplit,
  opts: { lr: number; batchSize: number; seed: number; epoch: number },
): { loss: number; trainAccuracy: number } {
  const order = epochOrder(split.count, opts.seed, opts.epoch);
  let lossSum = 0;
  let correct = 0;
  const pixels = split.images.length / split.count;
  const model = referenceOf(spec);
  for (let row0 = 0, index = 0; row0 < split.count; row0 += opts.batchSize, index++) {
    const rows = Math.min(opts.batchSize, split.count - row0);
    const { x, y } = gatherMinibatch(split.images, split.labels, order, row0, rows, pixels);
    const r = model.step(spec, params, x, y, rows, opts.lr, { seed: opts.seed, epoch: opts.epoch, index });
    lossSum += r.lossSum;
    correct += r.correct;
  }
  return { loss: lossSum / split.count, trainAccuracy: correct / split.count };
}

/** Test loss (stable form) and accuracy on the CPU. */
export function evaluate(spec: ModelSpec, params: Parameters, split: ImageSplit): { loss: number; accuracy: number } {
  const N = spec.classes;
  const all = Uint32Array.from({ length: split.count }, (_, i) => i);
  const { x, y } = gatherMinibatch(split.images, split.labels, all, 0, split.count, split.images.length / split.count);
  const logits = referenceOf(spec).forward(spec, params, x, split.count);
  return { loss: logSoftmaxCrossEntropy(logits, y, split.count, N).sum / split.count, accuracy: argmaxAccuracy(logits, y, split.count, N).correct / split.count };
}
