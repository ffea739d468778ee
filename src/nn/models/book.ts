/**
 * What the book's chapter 7 models share: the `resize` option (transforms.Resize then ToTensor, done on the fly by
 * the gather: nn/model.ts), and the book's hyper-parameters as defaults. Each model file declares its network and
 * calls `bookModel`.
 */
import type { ImageShape } from '../../data/dataset.js';
import { ModelOptionError, optionRef } from '../../errors.js';
import type { ModelDefinition, ModelOptions } from '../../model/model.js';
import { type IntegerOption, MAX_RESIZE, parseOptions, RESIZE } from '../../model/options.js';
import { outputShape, type SequentialDecl } from '../declare.js';
import { type NetworkDefinition, sequentialModel } from '../model.js';

export { MAX_RESIZE } from '../../model/options.js';

export interface BookModel {
  kind: string;
  summary: string;
  /** The book's learning rate, batch size and side the images are resized to (28: none). */
  lr: number;
  batchSize: number;
  resize: number;
  /** Whole-number options besides resize, as model/options.ts declares them, with this model's defaults (vgg11's widthDivisor). */
  extra?: Record<string, IntegerOption>;
  /** The network for images of [channels, size, size] and `classes` classes. */
  build(channels: number, classes: number, size: number, options: Record<string, number>): SequentialDecl;
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
  // The side the images are resized to first, the book's by default; then the model's own.
  const schemas = { resize: { ...RESIZE, default: def.resize }, ...def.extra };
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
  const declareNetwork = (channels: number, classes: number, given: ModelOptions) => {
    const { resize: size, ...others } = parseOptions(def.kind, schemas, given) as Record<string, number>;
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
      options: schemas,
      declare,
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
