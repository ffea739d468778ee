/**
 * The CPU twin of a whole training epoch and evaluation: each model's own twin (ModelDefinition.reference, built
 * from the kernels' CPU twins in the order the GPU records them) run over the trainer's shuffle and step
 * boundaries. Used to check the GPU trainer end to end and as the benchmark's sanity floor.
 */
import type { ImageSplit } from '../data/dataset.js';
import { epochOrder } from '../data/minibatches.js';
import type { ModelSpec, ReferenceModel } from '../model/model.js';
import { modelDefinition } from '../model/registry.js';
import type { Parameters } from '../model/tensors.js';
import { argmaxAccuracy } from './argmax_accuracy.js';
import { gatherMinibatch } from './gather_minibatch.js';
import { logSoftmaxCrossEntropy } from './log_softmax_cross_entropy.js';

export type { ReferenceForward, ReferenceModel, ReferenceStep } from '../model/model.js';

/** The CPU twin of `spec`'s model, as its definition holds it (ModelDefinition.reference). */
function referenceOf(spec: ModelSpec): ReferenceModel {
  const model = modelDefinition(spec.kind).reference;
  if (!model) throw new Error(`no CPU reference for model ${spec.kind}`);
  return model;
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
