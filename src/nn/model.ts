/**
 * A declared network as a model the trainer, evaluator, checkpoints and pictures know (model/model.ts): the
 * `sequential` kind holds any network written in code (`fit(gpu, data, { model: nn.Sequential(...) })`), its
 * declaration stored in the checkpoint's spec, so a file alone rebuilds it with no registration step; the book's
 * named networks (bn-lenet, resnet18, ...) are `sequentialModel` definitions whose options make their declaration.
 * One step:
 *   gather_minibatch / gather_resize     x0 [B, C·H·W] from the resident u8 images (resized on the fly where the
 *                                        network reads another size than the data's: chapter 7's --resize), y [B]
 *   every node's forward                 (nn/network.ts)
 *   log_softmax_cross_entropy, argmax    loss sum, hits, dlogits
 *   every node's backward, in reverse    the trainables' gradients; the trainer's optimizer then updates them
 * Softmax regression (Flatten, then one Linear from the images as stored to the classes: d2l 3.7's net) trained
 * with plain SGD runs instead as its two fused kernels, which compute the same step (fusedSoftmaxStep:
 * the forward with CrossEntropyLoss's log-sum-exp and its gradient in one, the weight gradient and the update in
 * the other), where its `kernels` option (auto, the default, or fused) and their limits allow.
 */
import type { ImageShape } from '../data/dataset.js';
import { ArgumentError, UsageError } from '../errors.js';
import { COPY_DST, COPY_SRC, createBuffer, createBufferWith, STORAGE } from '../gpu/buffers.js';
import type { Gpu } from '../gpu/device.js';
import type { Tuning } from '../gpu/tuning.js';
import { argmaxAccuracy } from '../kernels/argmax_accuracy.js';
import { gatherMinibatch } from '../kernels/gather_minibatch.js';
import { gatherResize } from '../kernels/gather_resize.js';
import type { GpuSplit } from '../gpu/split.js';
import { CrossEntropyLoss } from '../model/layers.js';
import type { Forward, GpuModel, GpuParameter, ModelDefinition, ModelOptions, ModelSpec, StepRecorder, Templates } from '../model/model.js';
import { accumulatingRecorder, createEpochTotals } from '../model/recorder.js';
import { elementsOf, type Parameters } from '../model/tensors.js';
import type { OptionSchemas } from '../model/options.js';
import { fusedSoftmaxStep, resolveKernels, uploadFusedWeight } from '../model/softmax_regression.js';
import type { OptimizerConfig } from '../optim/config.js';
import type { TrainableParameter } from '../optim/index.js';
import { initParameters, type LayerDecl, outputShape, parameterInfo, parseLayer, type SequentialDecl, trainableCount } from './declare.js';
import { bindingProblem, chunkCaveat, mostRowsPerChunk } from './memory.js';
import { networkReference } from '../reference/network.js';
import { buildNode, type NetworkContext, type Node, type NodeInput } from './network.js';

/** The per-sample input shape a network reads: [C, H, W]. */
export const inputShapeOf = (input: ImageShape): number[] => [input.channels, input.height, input.width];

/** Checks that `net` reads `input` images and gives `classes` logits; returns it rebuilt through the constructors. */
export function checkNetwork(net: unknown, input: ImageShape, classes: number, where = 'model'): SequentialDecl {
  const decl = parseLayer(net, where);
  if (decl.type !== 'Sequential') throw new ArgumentError(`${where} must be an nn.Sequential(...), not a ${decl.type}`);
  const out = outputShape(decl, inputShapeOf(input), where);
  if (out.length !== 1 || out[0] !== classes) throw new ArgumentError(`${where} gives [${out.join(', ')}] per image, the data has ${classes} classes: end it with nn.Flatten() and nn.Linear(..., ${classes})`);
  return decl;
}

/** The step's rows as f32 pixels need C·H·W to be a whole number of packed u8 words (4 pixels each). */
function inputProblem(input: ImageShape): string | null {
  const pixels = input.channels * input.height * input.width;
  return pixels % 4 === 0 ? null : `a network reads images of a multiple of 4 pixels (it gathers 4 u8 pixels per word), not ${pixels}`;
}

/** The tensors of a network reading [C, H, W] inputs by name with their shapes, in state_dict order. */
export const networkShapes = (net: LayerDecl, input: readonly number[]): Record<string, readonly number[]> =>
  Object.fromEntries(parameterInfo(net, input).map(([name, p]) => [name, p.shape]));

/** Whether a network reading [C, H, W] `input` reads the data's images as they are stored (no resize). */
const readsAsStored = (data: ImageShape, input: readonly number[]): boolean => input.length === 3 && input[0] === data.channels && input[1] === data.height && input[2] === data.width;

/**
 * The gather of a step's rows into x0 [B, ...input]: the images as stored, or resized bilinearly on the fly
 * (gather_resize) where the network reads another size than the data's.
 */
async function createGather(gpu: Gpu, data: ImageShape, input: readonly number[], rows: number, buffers: { split: GpuSplit; order: GPUBuffer; x: GPUBuffer; y: GPUBuffer }) {
  const [C, HO, WO] = input;
  const bound = { images: buffers.split.images, labels: buffers.split.labels, order: buffers.order, x: buffers.x, y: buffers.y };
  if (readsAsStored(data, input)) {
    const gather = await gatherMinibatch.create(gpu, { K: elementsOf(input) }, { rows });
    return { kernel: gather, group: gather.bind(bound) };
  }
  const gather = await gatherResize.create(gpu, { C, H: data.height, W: data.width, HO, WO }, { rows });
  return { kernel: gather, group: gather.bind(bound) };
}

/**
 * The network's input: x0 [B, ...input] (the gather's), and the resident u8 images in the step's order for a first
 * layer that reads them itself, where the network reads the images at the data's size (no resize).
 */
function rootInput(spec: ModelSpec, input: readonly number[], x0: GPUBuffer, split: GpuSplit, order: GPUBuffer, y: GPUBuffer): NodeInput {
  return { buffer: x0, shape: input, needsGrad: false, ...(readsAsStored(spec.input, input) ? { images: { images: split.images, order, labels: split.labels, targets: y } } : {}) };
}

/**
 * The tensors of `net` where it is softmax regression on the images as stored (Flatten, then one Linear from every
 * pixel to the classes), which can train as the fused kernels; else null.
 */
function softmaxRegressionOf(net: SequentialDecl, input: readonly number[], spec: ModelSpec): { weight: string; bias: string } | null {
  const [flatten, linear] = net.layers;
  if (net.layers.length !== 2 || flatten.type !== 'Flatten' || linear.type !== 'Linear' || !readsAsStored(spec.input, input)) return null;
  return linear.inFeatures === elementsOf(input) && linear.outFeatures === spec.classes ? { weight: '1.weight', bias: '1.bias' } : null;
}

/**
 * weights.png: the first layer's filters (a Conv2d's first input channel) or, for a first Linear on pixels, its units
 * as images: one per class where that Linear is the whole model (softmax regression's weight templates).
 */
function networkTemplates(net: SequentialDecl, input: readonly number[], spec: ModelSpec, params: Parameters): Templates {
  const trainables = parameterInfo(net, input).filter(([, p]) => p.trainable);
  const [first] = trainables;
  const [name, info] = first;
  const data = params[name].data;
  if (info.shape.length === 4) {
    const [cOut, cIn, k] = info.shape;
    return { title: `First-layer filters (${name}, input channel 0), ${k}x${k}`, data, count: Math.min(cOut, 64), height: k, width: k, stride: 1, offset: (i) => i * cIn * k * k, captions: Array.from({ length: Math.min(cOut, 64) }, (_, i) => `filter ${i}`) };
  }
  const [inputs, units] = info.shape;
  const pixels = elementsOf(inputShapeOf(spec.input));
  const images = inputs === pixels;
  // Its weight and bias are all there is: its units are the classes.
  if (images && trainables.length === 2 && units === spec.classes) {
    const title = `Weight templates: column c of ${name} as a ${spec.input.height}x${spec.input.width} image`;
    return { title, data, count: units, height: spec.input.height, width: spec.input.width * spec.input.channels, stride: units, offset: (c) => c, captions: 'classes' };
  }
  const count = Math.min(units, 64);
  return {
    title: images ? `First-layer weights (${name}): units as ${spec.input.height}x${spec.input.width} images` : `First-layer weights (${name})`,
    data,
    count,
    height: images ? spec.input.height : 1,
    width: images ? spec.input.width * spec.input.channels : inputs,
    stride: units,
    offset: (i) => i,
    captions: Array.from({ length: count }, (_, i) => `unit ${i}`),
  };
}

/** A network on the GPU: its tensors resident, its training step and its evaluation forward made from the declaration. */
async function createNetworkModel(gpu: Gpu, spec: ModelSpec, net: SequentialDecl, input: readonly number[], params: Parameters): Promise<GpuModel> {
  const shapes = networkShapes(net, input);
  // Softmax regression's weight as its fused kernels read it too (padded, bindable as a uniform).
  const softmax = softmaxRegressionOf(net, input, spec);
  const upload = (name: string) => (name === softmax?.weight ? uploadFusedWeight(gpu.device, name, params[name].data) : createBufferWith(gpu.device, name, params[name].data, STORAGE | COPY_SRC | COPY_DST));
  const tensors: Record<string, GPUBuffer> = Object.fromEntries(Object.keys(shapes).map((name) => [name, upload(name)]));
  const parameters: GpuParameter[] = Object.entries(shapes).map(([name, shape]) => ({ name, shape, buffer: tensors[name] }));
  const pixels = elementsOf(input);
  const bytes = Object.values(tensors).reduce((n, b) => n + b.size, 0);
  // Chunks of a step or an evaluation small enough that the largest activation [rows, ...] fits one storage binding.
  const maxRowsPerChunk = Math.max(1, mostRowsPerChunk(net, input, gpu.device.limits.maxStorageBufferBindingSize));
  const caveat = chunkCaveat(net);
  const context = (maxRows: number, training: boolean, seed: number, tuning: Tuning): NetworkContext => ({ gpu, maxRows, training, seed, tuning, tensors, trainables: [], dropouts: 0 });
  return {
    spec,
    parameters,
    bytes,
    maxRowsPerChunk,
    ...(caveat ? { chunkCaveat: caveat } : {}),
    async createStep(ctx): Promise<StepRecorder> {
      // The fused kernels update the weights themselves, so a step in chunks takes the layer kernels.
      if (softmax && !ctx.chunked) {
        const r = resolveKernels(spec, ctx.maxRows, ctx.optimizer);
        if ('problem' in r) throw new UsageError(r.problem);
        if (r.path === 'fused') return fusedSoftmaxStep(gpu, spec, { W: tensors[softmax.weight], b: tensors[softmax.bias] }, ctx, true);
      }
      const B = ctx.maxRows;
      const { device } = gpu;
      const totals = createEpochTotals(device);
      const x0 = createBuffer(device, 'x0', B * pixels * 4); // [B, C·H·W] f32
      const y = createBuffer(device, 'y', B * 4); // [B] u32
      const predictions = createBuffer(device, 'predictions', B * 4); // [B] u32
      const { kernel: gather, group: gatherGroup } = await createGather(gpu, spec.input, input, B, { split: ctx.train, order: ctx.order, x: x0, y });
      const netContext = context(B, true, ctx.seed, ctx.tuning);
      const root: Node = await buildNode(netContext, net, rootInput(spec, input, x0, ctx.train, ctx.order, y), '');
      const loss = await CrossEntropyLoss.create(gpu, B, spec.classes, totals.lossSum);
      const accuracy = await argmaxAccuracy.create(gpu, { N: spec.classes }, { rows: B });
      const accuracyGroup = accuracy.bind({ logits: root.output, y, predictions, correct: totals.correct });
      const trainables: TrainableParameter[] = netContext.trainables;
      const recorder = accumulatingRecorder('layer kernels (nn.Sequential)', totals, {
        bytes: x0.size + y.size + predictions.size + root.bytes + loss.bytes,
        encode(pass, step) {
          // A first convolution that reads the u8 images also writes the step's labels into y.
          if (!root.readsImages) gather.encode(pass, gatherGroup, step);
          root.forward(pass, step);
          loss.forward(pass, root.output, y, step);
          accuracy.encode(pass, accuracyGroup, step);
          root.backward(pass, loss.backward(), step);
        },
        destroy() {
          root.destroy();
          loss.destroy();
          for (const t of trainables) t.grad.destroy();
          for (const b of [x0, y, predictions]) b.destroy();
        },
      });
      return Object.assign(recorder, { trainables });
    },
    async createForward(ctx): Promise<Forward> {
      const B = ctx.maxRows;
      const x0 = createBuffer(gpu.device, 'forward x0', B * pixels * 4); // [B, C·H·W] f32
      const y = createBuffer(gpu.device, 'forward y', B * 4); // [B] u32 (unused: the evaluator reads labels itself)
      const { kernel: gather, group: gatherGroup } = await createGather(gpu, spec.input, input, B, { split: ctx.split, order: ctx.order, x: x0, y });
      const root = await buildNode(context(B, false, 0, ctx.tuning), net, rootInput(spec, input, x0, ctx.split, ctx.order, y), '');
      return {
        logits: root.output,
        bytes: x0.size + y.size + root.bytes,
        encodeForward(pass, step) {
          if (!root.readsImages) gather.encode(pass, gatherGroup, step);
          root.forward(pass, step);
        },
        destroy() {
          root.destroy();
          x0.destroy();
          y.destroy();
        },
      };
    },
    destroy() {
      for (const b of Object.values(tensors)) b.destroy();
    },
  };
}

/** What a named network needs to be a model: how its options make its declaration. */
export interface NetworkModel {
  /** The kind it is listed under (e.g. 'sequential'). */
  kind: string;
  /** One line for --help and the page. */
  summary: string;
  /** The book's hyper-parameters for it. */
  defaults: ModelDefinition['defaults'];
  /** The options its declaration reads (model/options.ts): the CLI's flags and the page's fields are made from them. */
  options: OptionSchemas;
  /** The declaration and the normalised options of a spec (unknown or bad options: a ModelOptionError or ArgumentError). */
  declare(input: ImageShape, classes: number, options: ModelOptions): {
    /** The network. */
    net: SequentialDecl;
    /** The options, normalised. */
    options: ModelOptions;
    /** The [C, H, W] the network reads where it is not the data's: the images are resized on the fly as they are gathered (chapter 7's --resize). */
    input?: readonly number[];
  };
  /** Why this spec cannot train with `batchSize` rows, or null (ModelDefinition.problem; a parameter or one image's activation past a storage binding is checked for every network). */
  problem?(spec: ModelSpec, batchSize: number): string | null;
  /** One line naming the model and its options, for logs. */
  describe?(spec: ModelSpec): string;
  /** The book's learning rate for this spec's options, where it depends on them (ModelDefinition.defaultLr). */
  defaultLr?(spec: ModelSpec): number;
  /** Tensor names that checkpoints of an earlier build used (ModelDefinition.formerNames). */
  formerNames?: Readonly<Record<string, string>>;
  /** The book's initialisation where it is not d2l's init_weights for the layers (nn/declare.ts initParameters): concise's N(0, 0.01²) weights. */
  init?(spec: ModelSpec, seed: number): Parameters;
  /** Why this spec cannot train with `optimizer`, or null (ModelDefinition.optimizerProblem). */
  optimizerProblem?(spec: ModelSpec, optimizer: OptimizerConfig): string | null;
}

/** A model made from a declaration: its network and the [C, H, W] it reads for a spec (what `summary` walks). */
export interface NetworkDefinition extends ModelDefinition {
  /** The network of `spec`, and the [C, H, W] it reads (its input resized where the spec says). */
  network(spec: ModelSpec): {
    /** The layers. */
    net: SequentialDecl;
    /** The shape of one input sample, [C, H, W]. */
    input: readonly number[];
  };
}

/** Whether `definition` is declared as layers (a NetworkDefinition), not hand-wired. */
export const isNetworkDefinition = (definition: ModelDefinition): definition is NetworkDefinition => typeof (definition as Partial<NetworkDefinition>).network === 'function';

/** A ModelDefinition for a network made from its options (the book's chapter 7 models, and `sequential`). */
export function sequentialModel(def: NetworkModel): NetworkDefinition {
  // The network and the [C, H, W] it reads (the data's, or the resized size).
  const madeOf = (spec: ModelSpec) => {
    const made = def.declare(spec.input, spec.classes, spec.options);
    return { net: made.net, input: made.input ?? inputShapeOf(spec.input) };
  };
  return {
    kind: def.kind,
    summary: def.summary,
    defaults: def.defaults,
    options: def.options,
    spec(input, classes, options) {
      const problem = inputProblem(input);
      if (problem) throw new ArgumentError(`model ${def.kind}: ${problem}`);
      const made = def.declare(input, classes, options);
      const [channels, height, width] = made.input ?? inputShapeOf(input);
      checkNetwork(made.net, { channels, height, width }, classes, `model ${def.kind}`);
      return { kind: def.kind, input, classes, options: made.options };
    },
    problem(spec, batchSize, bindingLimit) {
      const { net, input } = madeOf(spec);
      return def.problem?.(spec, batchSize) ?? bindingProblem(def.kind, net, input, bindingLimit);
    },
    ...(def.defaultLr ? { defaultLr: def.defaultLr } : {}),
    ...(def.formerNames ? { formerNames: def.formerNames } : {}),
    ...(def.optimizerProblem ? { optimizerProblem: def.optimizerProblem } : {}),
    // The whole-model CPU twin, composed from the layers' twins.
    reference: networkReference(madeOf),
    network: madeOf,
    init: (spec, seed) => {
      if (def.init) return def.init(spec, seed);
      const { net, input } = madeOf(spec);
      return initParameters(net, input, seed);
    },
    shapes: (spec) => {
      const { net, input } = madeOf(spec);
      return networkShapes(net, input);
    },
    create: (gpu, spec, params) => {
      const { net, input } = madeOf(spec);
      return createNetworkModel(gpu, spec, net, input, params);
    },
    describe:
      def.describe ??
      ((spec) => {
        const { net, input } = madeOf(spec);
        return `${def.kind} (${trainableCount(net, input).toLocaleString('en-US')} parameters)`;
      }),
    templates: (spec, params) => {
      const { net, input } = madeOf(spec);
      return networkTemplates(net, input, spec, params);
    },
  };
}

/** A network written in code: its declaration is its one option, `net`. */
export const sequentialNetworkModel = sequentialModel({
  kind: 'sequential',
  summary: 'a network written in code as nn.Sequential(...) (PyTorch names: Conv2d, BatchNorm2d, MaxPool2d, Linear, ...)',
  defaults: { lr: 0.1, epochs: 10 },
  options: { net: { kind: 'network', help: 'the network, an nn.Sequential(...) written in code' } },
  declare(input, classes, options) {
    const unknown = Object.keys(options).filter((k) => k !== 'net');
    if (unknown.length > 0) throw new ArgumentError(`model sequential takes one option, net (an nn.Sequential), not ${unknown.join(', ')}`);
    if (options.net === undefined) throw new ArgumentError('model sequential needs its network: pass modelOptions.net = nn.Sequential(...), or give fit a network as `model`');
    const net = checkNetwork(options.net, input, classes, 'net');
    return { net, options: { net } };
  },
});
