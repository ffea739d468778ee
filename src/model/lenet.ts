/**
 * LeNet (d2l 6.6) as the book declares it, with CrossEntropyLoss and SGD:
 *   net = nn.Sequential(nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
 *                       nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
 *                       nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
 * `activation: relu` and `pool: max` give the modern variant. It trains on the network's kernels (nn/network.ts),
 * whose fusion pass runs each convolution with its activation and 2x2 pooling as one block of the subgroup
 * convolution kernels where the adapter has them (nn/conv_block.ts). Its tensors are named as PyTorch names the
 * book's net's (0 and 3 the convolutions, 7, 9 and 11 the dense layers: LENET_LAYERS); the Xavier-uniform
 * weights of d2l's train_ch6 come from nn's initParameters. Dense weights are [in, out] (x·W + b, the transpose
 * of PyTorch's Linear.weight).
 */
import type { ImageShape } from '../data/dataset.js';
import { UsageError } from '../errors.js';
import { initParameters, nn, type SequentialDecl } from '../nn/declare.js';
import { type NetworkDefinition, networkShapes, sequentialModel } from '../nn/model.js';
import { lenetDims, LENET } from './lenet_shape.js';
import type { ModelOptions, ModelSpec } from './model.js';
import { ACTIVATION, parseOptions, POOL } from './options.js';
import type { Parameters } from './tensors.js';

/** LeNet's options: the book's sigmoid and average pooling, or ReLU and max pooling. */
export const LENET_OPTIONS = { activation: ACTIVATION, pool: POOL };

/** The largest minibatch: a1 [B, 6, 28, 28] f32 must fit a 128 MiB binding, and every grid 65,535 workgroups. */
export const LENET_MAX_ROWS = 4096;

/** The index in the Sequential of each layer with tensors: its state_dict prefix, as PyTorch names the book's net. */
export const LENET_LAYERS = { conv1: '0', conv2: '3', fc1: '7', fc2: '9', fc3: '11' } as const;

/** The network of `spec` (its options normalised by lenetSpec). */
export function lenetNet(spec: Pick<ModelSpec, 'input' | 'classes' | 'options'>): SequentialDecl {
  const d = lenetDims(spec);
  const act = () => (spec.options.activation === 'relu' ? nn.ReLU() : nn.Sigmoid());
  const pool = () => (spec.options.pool === 'max' ? nn.MaxPool2d(2, { stride: 2 }) : nn.AvgPool2d(2, { stride: 2 }));
  return nn.Sequential(
    nn.Conv2d(spec.input.channels, LENET.c1, LENET.ks, { padding: LENET.pad1 }), act(), pool(),
    nn.Conv2d(LENET.c1, LENET.c2, LENET.ks), act(), pool(),
    nn.Flatten(), nn.Linear(d.flat, d.f1), act(), nn.Linear(d.f1, d.f2), act(), nn.Linear(d.f2, spec.classes),
  );
}

const inputOf = (spec: ModelSpec) => [spec.input.channels, spec.input.height, spec.input.width];

/** Parameter names and shapes, in checkpoint order (the network's state_dict). */
export const lenetShapes = (spec: ModelSpec): Record<string, readonly number[]> => networkShapes(lenetNet(spec), inputOf(spec));

/** d2l's train_ch6 initialisation (Xavier-uniform weights, PyTorch's default biases), drawn in state_dict order. */
export const lenetInit = (spec: ModelSpec, seed: number): Parameters => initParameters(lenetNet(spec), inputOf(spec), seed);

export function lenetSpec(input: ImageShape, classes: number, options: ModelOptions): ModelSpec {
  const spec: ModelSpec = { kind: 'lenet', input, classes, options: parseOptions('lenet', LENET_OPTIONS, options) };
  const d = lenetDims(spec);
  if (d.h2 < 2 || d.w2 < 2) throw new UsageError(`lenet needs images of at least 12x12, not ${input.height}x${input.width}`);
  return spec;
}

export const lenetModel: NetworkDefinition = sequentialModel({
  kind: 'lenet',
  summary: 'LeNet: two 5x5 convolutions with pooling, three dense layers (d2l 6.6; --activation relu --pool max: lr 0.1)',
  defaults: { lr: 0.9, epochs: 10 },
  // d2l trains the sigmoid LeNet at lr 0.9; the modern ReLU + max-pool variant diverges there and uses 0.1.
  defaultLr: (spec) => (spec.options.activation === 'relu' ? 0.1 : 0.9),
  options: LENET_OPTIONS,
  declare(input: ImageShape, classes: number, options: ModelOptions) {
    const spec = lenetSpec(input, classes, options);
    return { net: lenetNet(spec), options: spec.options };
  },
  problem: (_spec, batchSize) => (batchSize > LENET_MAX_ROWS ? `lenet trains with batches of at most ${LENET_MAX_ROWS}, not ${batchSize}` : null),
  describe: (spec) => `lenet (${spec.options.activation}, ${spec.options.pool}-pool)`,
  // Before LeNet was a Sequential (checkpoint versions 1 to 3 of earlier builds), its layers had names.
  formerNames: LENET_LAYERS,
});
