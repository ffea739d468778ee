/**
 * What the book's chapter 7 models share: the `resize` option (transforms.Resize then ToTensor, done on the fly by
 * the gather: nn/model.ts), the book's hyper-parameters as defaults, and the refusal of a batch whose activations
 * would not fit one storage binding. Each model file declares its network and calls `bookModel`.
 */
import type { ImageShape } from '../../data/dataset.js';
import { ModelOptionError, optionRef } from '../../errors.js';
import type { ModelDefinition, ModelOptions, ModelSpec } from '../../model/model.js';
import { elementsOf } from '../../model/tensors.js';
import { type LayerDecl, outputShape, parameterInfo, type SequentialDecl } from '../declare.js';
import { largestActivation } from '../memory.js';
import { type NetworkDefinition, sequentialModel } from '../model.js';

/** The largest side --resize takes (AlexNet's 224 doubled). */
export const MAX_RESIZE = 448;

/**
 * The storage binding every activation must fit in: WebGPU's default maxStorageBufferBindingSize, and lavapipe's
 * and many browsers' maximum. `problem()` is called before any adapter exists (model/model.ts), so it assumes this.
 */
export const BINDING_LIMIT = 128 * 2 ** 20;

export interface BookModel {
  kind: string;
  summary: string;
  /** The book's learning rate, batch size and side the images are resized to (28: none). */
  lr: number;
  batchSize: number;
  resize: number;
  /** Integer options besides resize, with their defaults and ranges (vgg11's widthDivisor). */
  extra?: Record<string, { default: number; min: number; max: number }>;
  /** The network for images of [channels, size, size] and `classes` classes. */
  build(channels: number, classes: number, size: number, options: Record<string, number>): SequentialDecl;
}

/** A whole number option in [min, max]. */
function integerOption(key: string, value: unknown, min: number, max: number): number {
  const v = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw new ModelOptionError(`${optionRef(key)} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  return v as number;
}

/**
 * Why `net` cannot train with `batchSize` rows on an adapter binding at most `limit` bytes: a parameter past it
 * (no batch size fits), or an activation [B, ...] past it (names the largest batch size that fits), else null.
 */
export function bindingProblem(kind: string, net: LayerDecl, input: readonly number[], batchSize: number, limit = BINDING_LIMIT): string | null {
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  for (const [name, p] of parameterInfo(net, input)) {
    const bytes = elementsOf(p.shape) * 4;
    if (bytes > limit) return `model ${kind}: parameter ${name} is ${mib(bytes)}, past the ${mib(limit)} a storage binding holds; no batch size fits: make it smaller (--width-divisor or --resize)`;
  }
  const { values, where } = largestActivation(net, input);
  const fits = Math.floor(limit / (values * 4));
  if (batchSize <= fits) return null;
  return `model ${kind}: at batch size ${batchSize}, ${where} is ${mib(batchSize * values * 4)}, past the ${mib(limit)} a storage binding holds; the largest batch size that fits is ${fits}`;
}

/** A chapter 7 model: its ModelDefinition, and its declaration for any input channels (the library's `models.*`). */
export interface BookDefinition extends NetworkDefinition {
  /** What the model file declared: the book's hyper-parameters and `build`. */
  readonly book: BookModel;
  /**
   * The network for images of `channels` channels resized to `options.resize` (the book's by default) and `classes`
   * classes, its options checked as the CLI's are (a ModelOptionError naming `modelOptions.KEY`).
   */
  declareNetwork(channels: number, classes: number, options: ModelOptions): { net: SequentialDecl; options: ModelOptions; input: readonly number[] };
}

/** The chapter 7 model `def` as a ModelDefinition (options: resize and def.extra). */
export function bookModel(def: BookModel): BookDefinition {
  const extra = def.extra ?? {};
  const optionNames = ['resize', ...Object.keys(extra)];
  const minimum = new Map<string, number>();
  /** The smallest side whose network fits (every window inside its padded input), for the given other options. */
  const smallest = (channels: number, classes: number, options: Record<string, number>): number => {
    const key = JSON.stringify([channels, classes, options]);
    let m = minimum.get(key);
    if (m === undefined) {
      m = MAX_RESIZE;
      for (let size = 1; size < MAX_RESIZE; size++) {
        try {
          outputShape(def.build(channels, classes, size, options), [channels, size, size]);
          m = size;
          break;
        } catch {
          // too small for one of its windows
        }
      }
      minimum.set(key, m);
    }
    return m;
  };
  const declareNetwork = (channels: number, classes: number, options: ModelOptions) => {
    const unknown = Object.keys(options).filter((k) => !optionNames.includes(k));
    if (unknown.length > 0) throw new ModelOptionError(`model ${def.kind} takes no option ${unknown.map(optionRef).join(', ')} (it takes ${optionNames.map(optionRef).join(', ')})`);
    const others = Object.fromEntries(Object.entries(extra).map(([k, o]) => [k, options[k] === undefined ? o.default : integerOption(k, options[k], o.min, o.max)]));
    const size = options.resize === undefined ? def.resize : integerOption('resize', options.resize, 1, MAX_RESIZE);
    const least = smallest(channels, classes, others);
    if (size < least) throw new ModelOptionError(`${optionRef('resize')} ${size} is too small for model ${def.kind}: its windows need images of at least ${least}x${least}`);
    const net = def.build(channels, classes, size, others);
    return { net, options: { resize: size, ...others }, input: [channels, size, size] };
  };
  const declare = (input: ImageShape, classes: number, options: ModelOptions) => declareNetwork(input.channels, classes, options);
  const definition = sequentialModel({
      kind: def.kind,
      summary: def.summary,
      defaults: { lr: def.lr, epochs: 10, batchSize: def.batchSize },
      optionNames,
      declare,
      problem(spec: ModelSpec, batchSize: number) {
        const made = declare(spec.input, spec.classes, spec.options);
        return bindingProblem(def.kind, made.net, made.input, batchSize);
      },
  });
  return { ...definition, book: def, declareNetwork };
}

/** The smallest --resize model `definition` (a bookModel) takes, for 1x28x28 images and 10 classes (tests, acceptance). */
export function smallestResize(definition: ModelDefinition, options: ModelOptions = {}): number {
  for (let size = 1; size <= MAX_RESIZE; size++) {
    try {
      definition.spec({ channels: 1, height: 28, width: 28 }, 10, { ...options, resize: size });
      return size;
    } catch {
      // too small
    }
  }
  throw new Error(`model ${definition.kind}: no --resize fits`);
}
