/**
 * What the two multilayer perceptrons (d2l 4.2 from scratch, 4.3 concise; with 4.5's weight decay and 4.6's
 * dropout) share: their options and spec, the parameters W1, b1, W2, b2, ... (W_l: [in, out], x·W + b,
 * row-major), the book's initialisation, the weights picture, the evaluation forward (no dropout), and the
 * model definition around each model's own step (mlp_scratch.ts, mlp_concise.ts).
 */
import type { ImageShape } from '../data/dataset.js';
import { COPY_DST, COPY_SRC, createBuffer, createBufferWith, STORAGE } from '../gpu/buffers.js';
import type { Gpu } from '../gpu/device.js';
import { ACTIVATION_CODES } from '../kernels/activation.js';
import { dropoutConstants, type DropoutConstants, NO_DROPOUT } from '../kernels/dropout_mask.js';
import { createLinearForward, createLinearForwardU8 } from '../kernels/linear.js';
import { Rng } from '../random.js';
import type { Forward, ForwardContext, GpuModel, GpuParameter, ModelDefinition, ModelOptions, ModelSpec, StepContext, StepRecorder } from './model.js';
import { pixelsOf } from './model.js';
import { sizeOf } from './softmax_regression.js';
import type { Parameters } from './tensors.js';
import { accumulatingRecorder, createEpochTotals, type ModelSteps } from './recorder.js';
import { type IntegerListOption, type NumberOption, type OptionValues, parseOptions, type ProbabilityListOption } from './options.js';

/** The limits of the options, stated once (checked in mlpSpec, said in its messages). */
export const MLP_LIMITS = { maxLayers: 8, maxWidth: 4096 };

/** WebGPU's guaranteed maxStorageBufferBindingSize (128 MiB): every layer's activations are bound whole. */
const MAX_BINDING_BYTES = 128 * 2 ** 20;

/** The largest minibatch for this MLP: [rows, width] f32 of its widest layer within one 128 MiB binding (8,192 rows at 4,096 units). */
export function mlpMaxRows(spec: ModelSpec): number {
  return Math.floor(MAX_BINDING_BYTES / (4 * Math.max(...layerSizes(spec))));
}

/** d2l 4.2/4.3: one hidden layer of 256 units. */
export const DEFAULT_HIDDEN = [256];
/** The weights picture shows at most this many hidden units (those of largest L2 norm). */
export const TEMPLATE_UNITS = 64;

/** The options of both MLPs: the hidden layers' widths, dropout after each (4.6) and weight decay (4.5). */
export const MLP_OPTIONS = {
  hidden: {
    kind: 'integers',
    min: 1,
    max: MLP_LIMITS.maxWidth,
    count: { min: 1, max: MLP_LIMITS.maxLayers, what: 'hidden layer sizes' },
    each: 'sizes',
    default: DEFAULT_HIDDEN,
    metavar: 'N[,N...]',
    label: 'Hidden layers',
    help: 'hidden layer sizes, e.g. 256 or 256,256 (default 256)',
  } satisfies IntegerListOption,
  dropout: {
    kind: 'probabilities',
    per: { option: 'hidden', each: 'hidden layer' },
    metavar: 'P[,P...]',
    placeholder: 'none',
    label: 'Dropout',
    help: 'dropout probability after each hidden layer, e.g. 0.2,0.5 (default none)',
  } satisfies ProbabilityListOption,
  weightDecay: {
    kind: 'number',
    min: 0,
    default: 0,
    metavar: 'LAMBDA',
    label: 'Weight decay',
    help: "L2 weight decay added to the weights' gradients, as torch.optim.SGD(weight_decay=...) (default 0)",
  } satisfies NumberOption,
} as const;

/** `hidden`: units per hidden layer; `dropout`: the probability after each (0: none); `weightDecay`: L2 on the weights, added to their gradient (biases are not decayed). */
export type MlpOptions = OptionValues<typeof MLP_OPTIONS>;

/** Normalises and checks user options: each problem is one ModelOptionError naming the option (optionRef). */
export function mlpOptions(kind: string, options: ModelOptions): MlpOptions {
  return parseOptions(kind, MLP_OPTIONS, options);
}

export function mlpSpec(kind: string, input: ImageShape, classes: number, options: ModelOptions): ModelSpec {
  return { kind, input, classes, options: mlpOptions(kind, options) };
}

/** The spec's options, already normalised by mlpSpec (a checkpoint's spec is trusted to be one it wrote). */
export const optionsOf = (spec: ModelSpec): MlpOptions => mlpOptions(spec.kind, spec.options);

/** Widths of every layer, input to output: [784, ...hidden, 10]. */
export function layerSizes(spec: ModelSpec): number[] {
  return [pixelsOf(spec.input), ...optionsOf(spec).hidden, spec.classes];
}

/** The dropout constants of hidden layer `layer` (0-based) in a run seeded `seed`; NO_DROPOUT where p is 0. */
export function hiddenDropout(spec: ModelSpec, seed: number, layer: number): DropoutConstants {
  const p = optionsOf(spec).dropout[layer] ?? 0;
  return p > 0 ? dropoutConstants(p, seed, layer) : NO_DROPOUT;
}

/** W1: [784, h1], b1: [h1], ..., W{L+1}: [hL, classes], b{L+1}: [classes]. */
export function mlpShapes(spec: ModelSpec): Record<string, readonly number[]> {
  const sizes = layerSizes(spec);
  const shapes: Record<string, readonly number[]> = {};
  for (let l = 1; l < sizes.length; l++) {
    shapes[`W${l}`] = [sizes[l - 1], sizes[l]];
    shapes[`b${l}`] = [sizes[l]];
  }
  return shapes;
}

/** d2l 4.2/4.3's initialisation: weights ~ N(0, 0.01²), biases 0; drawn W1, W2, ... from one seeded stream. */
export function mlpInit(spec: ModelSpec, seed: number): Parameters {
  const rng = new Rng(seed);
  const params: Parameters = {};
  for (const [name, shape] of Object.entries(mlpShapes(spec))) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    params[name] = { shape, data: name.startsWith('W') ? rng.fillNormal(data, 0, 0.01) : data };
  }
  return params;
}

export function describeMlp(spec: ModelSpec): string {
  const o = optionsOf(spec);
  const parts = [`${spec.kind} ${layerSizes(spec).join('-')}`];
  if (o.dropout.some((p) => p > 0)) parts.push(`dropout ${o.dropout.join('/')}`);
  if (o.weightDecay > 0) parts.push(`weight decay ${o.weightDecay}`);
  return parts.join(', ');
}

/** weights.png: the first layer's hidden units (columns of W1) as images, the TEMPLATE_UNITS of largest L2 norm. */
export function mlpTemplates(spec: ModelSpec, params: Parameters) {
  const [K, H] = params.W1.shape;
  const w = params.W1.data;
  const norms = Array.from({ length: H }, (_, j) => {
    let s = 0;
    for (let k = 0; k < K; k++) s += w[k * H + j] ** 2;
    return s;
  });
  const units = norms.map((_, j) => j).sort((a, b) => norms[b] - norms[a] || a - b).slice(0, TEMPLATE_UNITS);
  const which = units.length < H ? `the ${units.length} of largest L2 norm of ${H}` : `all ${H}`;
  return {
    title: `First-layer weights: hidden units (columns of W1), ${which}, as ${spec.input.height}x${spec.input.width} images`,
    data: w,
    count: units.length,
    height: spec.input.height,
    width: spec.input.width * spec.input.channels,
    stride: H,
    offset: (i: number) => units[i],
    captions: units.map((j) => `unit ${j}`),
  };
}

/** Every parameter on the GPU, in checkpoint order (W1, b1, W2, b2, ...). */
export type MlpBuffers = Record<string, GPUBuffer>;

export function uploadMlpParameters(device: GPUDevice, params: Parameters, spec: ModelSpec): MlpBuffers {
  return Object.fromEntries(Object.keys(mlpShapes(spec)).map((name) => [name, createBufferWith(device, name, params[name].data, STORAGE | COPY_SRC | COPY_DST)]));
}

/** The kernel constants of layer l's forward (l = 1 is the first): ReLU on hidden layers, dropout in training. */
export function forwardConstants(spec: ModelSpec, l: number, training: { seed: number } | null): Record<string, number> {
  const hidden = l < layerSizes(spec).length - 1;
  return { ACT: hidden ? ACTIVATION_CODES.relu : ACTIVATION_CODES.none, ...(hidden && training ? hiddenDropout(spec, training.seed, l - 1) : {}) };
}

/**
 * Evaluation forward: the same fused dense kernels as training (the first reading u8 images), without dropout.
 */
export async function mlpForward(gpu: Gpu, spec: ModelSpec, p: MlpBuffers, ctx: ForwardContext): Promise<Forward> {
  const sizes = layerSizes(spec);
  const L = sizes.length - 1;
  const B = ctx.maxRows;
  const b: Record<string, GPUBuffer> = { y: createBuffer(gpu.device, 'forward y', B * 4) }; // [B] u32 (unused: the evaluator reads labels itself)
  for (let l = 1; l <= L; l++) b[`h${l}`] = createBuffer(gpu.device, `forward h${l}`, B * sizes[l] * 4); // [B, sizes[l]] f32
  const choice = { tiles: ctx.tuning.dense };
  const first = await createLinearForwardU8(gpu, { K: sizes[0], N: sizes[1] }, B, forwardConstants(spec, 1, null), choice);
  const rest = await Promise.all(sizes.slice(2).map((N, i) => createLinearForward(gpu, { K: sizes[i + 1], N }, B, forwardConstants(spec, i + 2, null), choice)));
  const groups = [
    first.bind({ images: ctx.split.images, labels: ctx.split.labels, order: ctx.order, w: p.W1, b: p.b1, out: b.h1, y: b.y }),
    ...rest.map((k, i) => k.bind({ x: b[`h${i + 1}`], w: p[`W${i + 2}`], b: p[`b${i + 2}`], out: b[`h${i + 2}`] })),
  ];
  const kernels = [first, ...rest];
  return {
    logits: b[`h${L}`],
    bytes: sizeOf(b),
    encodeForward(pass, step) {
      kernels.forEach((k, i) => k.encode(pass, groups[i], step));
    },
    destroy() {
      for (const buffer of Object.values(b)) buffer.destroy();
    },
  };
}

/** An MLP model definition; the two kinds differ only in how their step is written. */
export function mlpModel(def: {
  kind: string;
  summary: string;
  createStep(gpu: Gpu, spec: ModelSpec, p: MlpBuffers, ctx: StepContext): Promise<StepRecorder>;
}): ModelDefinition {
  return {
    kind: def.kind,
    summary: def.summary,
    defaults: { lr: 0.1, epochs: 10 },
    options: MLP_OPTIONS,
    problem: (spec, batchSize) => {
      const max = mlpMaxRows(spec);
      return batchSize > max ? `model ${def.kind} with a ${Math.max(...layerSizes(spec))}-wide layer trains with batches of at most ${max} (each layer's [batch, width] f32 activations must fit a 128 MiB binding), not ${batchSize}` : null;
    },
    spec: (input, classes, options) => mlpSpec(def.kind, input, classes, options),
    init: mlpInit,
    shapes: mlpShapes,
    describe: describeMlp,
    templates: mlpTemplates,
    async create(gpu, spec, params): Promise<GpuModel> {
      const p = uploadMlpParameters(gpu.device, params, spec);
      const parameters: GpuParameter[] = Object.entries(mlpShapes(spec)).map(([name, shape]) => ({ name, shape, buffer: p[name] }));
      return {
        spec,
        parameters,
        bytes: sizeOf(p),
        createStep: (ctx) => def.createStep(gpu, spec, p, ctx),
        createForward: (ctx) => mlpForward(gpu, spec, p, ctx),
        destroy() {
          for (const buffer of Object.values(p)) buffer.destroy();
        },
      };
    },
  };
}

/** The buffers every MLP step shares: the step's labels and the epoch's totals. */
export interface MlpIo {
  y: GPUBuffer; // [B] u32 labels, gathered by the first layer's forward
  lossSum: GPUBuffer; // [1] f32: sum of per-sample loss over the epoch so far
  correct: GPUBuffer; // [1] u32: correct predictions over the epoch so far
  predictions: GPUBuffer; // [B] u32: argmax of the last step
}

/** The frame of an MLP step: the model's kernels (`model`), adding to the epoch's totals step by step. */
export async function mlpFrame(
  gpu: Gpu,
  spec: ModelSpec,
  ctx: StepContext,
  summary: string,
  model: (io: MlpIo) => Promise<ModelSteps>,
): Promise<StepRecorder> {
  const { device } = gpu;
  const totals = createEpochTotals(device);
  const io: MlpIo = {
    ...totals,
    y: createBuffer(device, 'y', ctx.maxRows * 4), // [B] u32
    predictions: createBuffer(device, 'predictions', ctx.maxRows * 4), // [B] u32
  };
  const steps = await model(io);
  return accumulatingRecorder(summary, totals, {
    bytes: io.y.size + io.predictions.size + steps.bytes,
    trainables: steps.trainables,
    encode: (pass, step) => steps.encode(pass, step),
    destroy() {
      steps.destroy();
      io.y.destroy();
      io.predictions.destroy();
    },
  });
}
