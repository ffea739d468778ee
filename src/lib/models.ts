/**
 * The book's chapter 7 networks as library constructors: `models.resnet18()` returns the `nn.Sequential(...)`
 * declaration the CLI's `train --model resnet18` trains, made by the model file's own `build` (src/nn/models/), so
 * the layer lists exist once. `fit(gpu, data, { model: models.resnet18({ size: 28 }) })` trains it.
 *
 * `fit` does not resize the images of a network written in code: it reads them at the data's size. A network
 * declared here for another size than the data's is refused by `fit` (one line saying what to do): declare it for
 * the data's size (`{ size: 28 }` for Fashion-MNIST), or train the kind, whose `resize` option resizes on the fly
 * as the CLI's `--resize` does (`fit(gpu, data, { model: 'resnet18', modelOptions: { resize: 96 } })`).
 * Browser-safe.
 */
import { ArgumentError, checkKeys, checkObject, ModelOptionError, renameOptions } from '../errors.js';
import type { SequentialDecl } from '../nn/declare.js';
import { alexnetModel } from '../nn/models/alexnet.js';
import { type BookDefinition, MAX_RESIZE } from '../nn/models/book.js';
import { bnLenetModel } from '../nn/models/bn_lenet.js';
import { densenetModel } from '../nn/models/densenet.js';
import { googlenetModel } from '../nn/models/googlenet.js';
import { ninModel } from '../nn/models/nin.js';
import { resnetModel } from '../nn/models/resnet.js';
import { vggModel } from '../nn/models/vgg.js';
import { checkInteger } from './check.js';

/** Options of every `models.*` constructor; each has the book's default. */
export interface BookNetworkOptions {
  /** Channels of the input images; default 1 (Fashion-MNIST's). */
  inChannels?: number | undefined;
  /** Classes, the last Linear's outputs; default 10. */
  classes?: number | undefined;
  /**
   * Side of the square images the network reads; default the book's resize (AlexNet, VGG and NiN 224, GoogLeNet,
   * ResNet and DenseNet 96, BN-LeNet 28). `fit` trains it only on data of this size: it does not resize.
   */
  size?: number | undefined;
}

/** `models.vgg11`'s options: the book trains VGG-11 with every block's channels divided by 4. */
export interface VggOptions extends BookNetworkOptions {
  /** Each VGG block's channels divided by this (1..64); default 4, the book's `ratio`. */
  widthDivisor?: number | undefined;
}

/** What a constructor recorded about the declaration it returned, for `fit`'s check of the data's size. */
export interface DeclaredFor {
  /** The constructor, e.g. 'models.resnet18'. */
  call: string;
  /** The model kind, e.g. 'resnet18'. */
  kind: string;
  /** The side of the images the network was declared for. */
  size: number;
  /** The kind's options that declare the same network (resize = size), for fit's modelOptions. */
  options: Record<string, number>;
}

// By object identity, so the declaration itself stays plain data (JSON-equal to the CLI's network).
const DECLARED = new WeakMap<object, DeclaredFor>();

/** What `models.*` made `net` for, or undefined for a network made otherwise (or a copy of one). */
export const declaredFor = (net: unknown): DeclaredFor | undefined => (typeof net === 'object' && net !== null ? DECLARED.get(net) : undefined);

/** The image size problem of training `net` on images of `height` x `width`, or null: fit does not resize a network written in code. */
export function declaredSizeProblem(net: unknown, height: number, width: number, where = 'options.model'): string | null {
  const d = declaredFor(net);
  if (!d || (d.size === height && d.size === width)) return null;
  const fix = height === width ? `declare it for the data with ${d.call}({ size: ${height} }), or ` : '';
  return `${where} is ${d.call}() declared for ${d.size}x${d.size} images and the data's are ${height}x${width}; fit does not resize a network written in code: ${fix}train the kind, which resizes: model: '${d.kind}', modelOptions: { ${Object.entries(d.options).map(([k, v]) => `${k}: ${v}`).join(', ')} }`;
}

/** `make()`, a ModelOptionError it throws (named as fit's modelOptions) renamed as constructor `name`'s options. */
function declare<T>(name: string, make: () => T): T {
  try {
    return make();
  } catch (err) {
    if (err instanceof ModelOptionError) throw new ArgumentError(renameOptions(err.message, (key) => `${name} options.${key === 'resize' ? 'size' : key}`));
    throw err;
  }
}

/** The constructor `name` of `definition`: its options checked, the model file's declaration returned. */
function bookConstructor<O extends BookNetworkOptions>(name: string, definition: BookDefinition): (options?: O) => SequentialDecl {
  const extra = Object.keys(definition.book.extra ?? {});
  return (options?: O) => {
    const o = checkObject(`${name} options`, options ?? {}, '{ inChannels, classes, size } (or nothing)');
    checkKeys(`${name} options`, o, ['inChannels', 'classes', 'size', ...extra]);
    const inChannels = checkInteger(`${name} options.inChannels`, o.inChannels ?? 1, { min: 1, max: 4096 });
    const classes = checkInteger(`${name} options.classes`, o.classes ?? 10, { min: 1, max: 1 << 20 });
    const size = checkInteger(`${name} options.size`, o.size ?? definition.book.resize, { min: 1, max: MAX_RESIZE });
    const ranges = definition.book.extra ?? {};
    const given = Object.fromEntries(extra.filter((k) => o[k] !== undefined).map((k) => [k, checkInteger(`${name} options.${k}`, o[k], ranges[k])]));
    const made = declare(name, () => definition.declareNetwork(inChannels, classes, { resize: size, ...given }));
    DECLARED.set(made.net, { call: name, kind: definition.kind, size: made.input[1], options: made.options as Record<string, number> });
    return made.net;
  };
}

/**
 * The book's chapter 7 CNNs (d2l-zh 7.1-7.7, the PyTorch code's layer lists), each a function returning its
 * `nn.Sequential(...)` declaration, as `train --model KIND` trains it (its parameter count is `summary`'s).
 */
export const models = {
  /** d2l 7.5: LeNet with BatchNorm2d/BatchNorm1d (44,878 parameters at 28 px); size default 28. */
  bnLenet: bookConstructor<BookNetworkOptions>('models.bnLenet', bnLenetModel),
  /** d2l 7.1: AlexNet (46,764,746 parameters at 224 px); size default 224. */
  alexnet: bookConstructor<BookNetworkOptions>('models.alexnet', alexnetModel),
  /** d2l 7.2: VGG-11 with its channels / widthDivisor (default 4, the book's; 128,806,154 parameters at 1); size default 224. */
  vgg11: bookConstructor<VggOptions>('models.vgg11', vggModel),
  /** d2l 7.3: Network in Network (1,992,166 parameters); size default 224. */
  nin: bookConstructor<BookNetworkOptions>('models.nin', ninModel),
  /** d2l 7.4: GoogLeNet (5,977,530 parameters); size default 96. */
  googlenet: bookConstructor<BookNetworkOptions>('models.googlenet', googlenetModel),
  /** d2l 7.6: ResNet-18 (11,178,378 parameters); size default 96. */
  resnet18: bookConstructor<BookNetworkOptions>('models.resnet18', resnetModel),
  /** d2l 7.7: DenseNet (758,226 parameters); size default 96. */
  densenet: bookConstructor<BookNetworkOptions>('models.densenet', densenetModel),
};
