/**
 * Concise softmax regression (d2l 3.7), declared as the book writes it:
 *   net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10)); loss = nn.CrossEntropyLoss(); trainer = torch.optim.SGD(net.parameters(), lr)
 * It trains on the network's layer kernels (nn/network.ts: gather_minibatch, linear:forward,
 * log_softmax_cross_entropy, linear:weight_grad, bias_grad, then the trainer's optimizer), or, with plain SGD, as
 * softmax regression's two fused kernels, which compute the same step (nn/model.ts; the `kernels` option: auto,
 * fused or separate, the layer kernels). Its tensors are named as PyTorch names the book's net's, 1.weight and
 * 1.bias; the weight is [in, out] (x·W + b, the transpose of PyTorch's Linear.weight), as W was, so checkpoints
 * written before it was a Sequential (W, b) load renamed. Initialised as d2l 3.7's init_weights: weights ~ N(0, 0.01²), biases 0.
 */
import type { ImageShape } from '../data/dataset.js';
import { nn, type SequentialDecl } from '../nn/declare.js';
import { type NetworkDefinition, sequentialModel } from '../nn/model.js';
import { pixelsOf } from './model.js';
import { parseOptions } from './options.js';
import { SOFTMAX_OPTIONS, softmaxInit, softmaxOptimizerProblem, softmaxProblem } from './softmax_regression.js';

/** The book's net for `input` images and `classes` classes. */
export const conciseNet = (input: ImageShape, classes: number): SequentialDecl => nn.Sequential(nn.Flatten(), nn.Linear(pixelsOf(input), classes));

/** The tensors' names before concise was a Sequential, each with its name now. */
export const CONCISE_FORMER_NAMES = { W: '1.weight', b: '1.bias' } as const;

/** d2l 3.7: softmax regression as nn.Sequential(nn.Flatten(), nn.Linear(784, 10)). */
export const conciseModel: NetworkDefinition = sequentialModel({
  kind: 'concise',
  summary: 'softmax regression as the book declares it: nn.Sequential(nn.Flatten(), nn.Linear(784, 10)) + CrossEntropyLoss (log-sum-exp) + SGD (d2l 3.7)',
  defaults: { lr: 0.1, epochs: 5 },
  options: SOFTMAX_OPTIONS,
  declare: (input, classes, options) => ({ net: conciseNet(input, classes), options: parseOptions('concise', SOFTMAX_OPTIONS, options) }),
  // The same numbers as the scratch model's W and b, drawn from the same stream.
  init(spec, seed) {
    const { W, b } = softmaxInit(spec, seed);
    return { [CONCISE_FORMER_NAMES.W]: W, [CONCISE_FORMER_NAMES.b]: b };
  },
  problem: softmaxProblem,
  optimizerProblem: softmaxOptimizerProblem,
  describe: (spec) => spec.kind,
  formerNames: CONCISE_FORMER_NAMES,
});
