/**
 * Layers as PyTorch names them, declared as plain data: `nn.Sequential(nn.Conv2d(1, 6, 5, { padding: 2 }),
 * nn.Sigmoid(), ...)` returns a JSON-able description, not GPU objects. A declaration is what a checkpoint stores
 * (so a file alone rebuilds its network), what the CPU twin (reference/network.ts) and the GPU network (nn/network.ts)
 * are built from, and what `summary` walks. No GPU and no Node APIs here: the page imports it.
 *
 * Shapes are per sample: [C, H, W] for images and feature maps, [F] for vectors; the batch is the leading
 * dimension of every buffer. Parameters are named as PyTorch's state_dict names them (`0.weight`, `2.bias`,
 * `1.running_mean`, `3.body.0.weight`), with one difference stated once: a Linear's weight is stored
 * [in, out] (x·W + b, the transpose of PyTorch's Linear.weight), as every dense kernel here reads it.
 */
import { ArgumentError } from '../errors.js';
import { windowOutput } from '../kernels/conv2d_general.js';
import { Rng } from '../random.js';
import { elementsOf, type Parameters } from '../model/tensors.js';

/** One layer of a network, declared as data (JSON-able): what `nn.Linear(...)`, `nn.Conv2d(...)`, ... return. */
export type LayerDecl =
  | {
      /** PyTorch's class name. */
      type: 'Linear';
      /** in_features. */
      inFeatures: number;
      /** out_features. */
      outFeatures: number;
    }
  | {
      /** PyTorch's class name. */
      type: 'Conv2d';
      /** in_channels. */
      inChannels: number;
      /** out_channels. */
      outChannels: number;
      /** kernel_size (square). */
      kernelSize: number;
      /** stride. */
      stride: number;
      /** padding (zeros). */
      padding: number;
    }
  | {
      /** PyTorch's class name. */
      type: 'MaxPool2d' | 'AvgPool2d';
      /** kernel_size (square). */
      kernelSize: number;
      /** stride. */
      stride: number;
      /** padding. */
      padding: number;
    }
  | {
      /** PyTorch's class name. */
      type: 'AdaptiveAvgPool2d';
      /** output_size: 1 (global average pooling). */
      outputSize: 1;
    }
  | {
      /** PyTorch's class name. */
      type: 'BatchNorm1d' | 'BatchNorm2d';
      /** num_features. */
      numFeatures: number;
      /** eps, added to the variance. */
      eps: number;
      /** momentum of the running statistics. */
      momentum: number;
    }
  | {
      /** PyTorch's class name. */
      type: 'ReLU';
    }
  | {
      /** PyTorch's class name. */
      type: 'Sigmoid';
    }
  | {
      /** PyTorch's class name. */
      type: 'Flatten';
    }
  | {
      /** PyTorch's class name. */
      type: 'Identity';
    }
  | {
      /** PyTorch's class name. */
      type: 'Dropout';
      /** p, the probability of zeroing an element. */
      p: number;
    }
  | SequentialDecl
  | {
      /** A residual block: output = body(x) + shortcut(x). */
      type: 'Residual';
      /** The main path. */
      body: LayerDecl;
      /** The shortcut, or null for the identity. */
      shortcut: LayerDecl | null;
    }
  | {
      /** Branches on the same input, their outputs concatenated along channels. */
      type: 'Concat';
      /** The branches, in channel order. */
      branches: LayerDecl[];
    };

/** Layers applied one after another, as nn.Sequential. */
export interface SequentialDecl {
  /** PyTorch's class name. */
  type: 'Sequential';
  /** The layers, first to last. */
  layers: LayerDecl[];
}

/** What a parameter tensor is for: trained by the optimizer (`weight`, `bias`) or a running statistic (BatchNorm's). */
export interface ParameterInfo {
  /** The tensor's shape, row-major. */
  shape: number[];
  /** Trained by the optimizer; false for running statistics, which the forward pass updates itself. */
  trainable: boolean;
  /** Whether weight decay applies (weights, not biases or BatchNorm's scale and shift, as d2l 4.5). */
  decay: boolean;
  /** How it starts: Xavier-uniform weights (d2l's init_weights), U(±1/sqrt(fanIn)) biases (PyTorch's default), ones, zeros. */
  init:
    | {
        /** Xavier-uniform. */
        kind: 'xavier';
        /** Inputs feeding one output. */
        fanIn: number;
        /** Outputs one input feeds. */
        fanOut: number;
      }
    | {
        /** U(-bound, bound). */
        kind: 'uniform';
        /** The bound. */
        bound: number;
      }
    | {
        /** All ones. */
        kind: 'ones';
      }
    | {
        /** All zeros. */
        kind: 'zeros';
      };
}

const positive = (name: string, v: unknown, max = 1 << 16): number => {
  if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > max) throw new ArgumentError(`${name} must be a whole number from 1 to ${max}, not ${String(v)}`);
  return v as number;
};
const nonNegative = (name: string, v: unknown, max: number): number => {
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > max) throw new ArgumentError(`${name} must be a whole number from 0 to ${max}, not ${String(v)}`);
  return v as number;
};

/** The layer constructors, with PyTorch's names and argument order. */
export const nn = {
  /** y = x·W + b: nn.Linear(in_features, out_features). */
  Linear: (inFeatures: number, outFeatures: number): LayerDecl => ({ type: 'Linear', inFeatures: positive('Linear in_features', inFeatures), outFeatures: positive('Linear out_features', outFeatures) }),
  /** nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0), square kernels, with a bias. */
  Conv2d: (inChannels: number, outChannels: number, kernelSize: number, options: { stride?: number; padding?: number } = {}): LayerDecl => ({
    type: 'Conv2d',
    inChannels: positive('Conv2d in_channels', inChannels),
    outChannels: positive('Conv2d out_channels', outChannels),
    kernelSize: positive('Conv2d kernel_size', kernelSize, 11),
    stride: positive('Conv2d stride', options.stride ?? 1, 4),
    padding: nonNegative('Conv2d padding', options.padding ?? 0, 5),
  }),
  /** nn.MaxPool2d(kernel_size, stride=kernel_size, padding=0). */
  MaxPool2d: (kernelSize: number, options: { stride?: number; padding?: number } = {}): LayerDecl => pool('MaxPool2d', kernelSize, options),
  /** nn.AvgPool2d(kernel_size, stride=kernel_size, padding=0), count_include_pad=True as PyTorch's default. */
  AvgPool2d: (kernelSize: number, options: { stride?: number; padding?: number } = {}): LayerDecl => pool('AvgPool2d', kernelSize, options),
  /** nn.AdaptiveAvgPool2d(1): global average pooling, [C, H, W] -> [C, 1, 1]. */
  AdaptiveAvgPool2d: (outputSize: 1): LayerDecl => {
    if (outputSize !== 1) throw new ArgumentError(`AdaptiveAvgPool2d output_size must be 1 (global average pooling), not ${String(outputSize)}`);
    return { type: 'AdaptiveAvgPool2d', outputSize: 1 };
  },
  /** nn.BatchNorm1d(num_features, eps=1e-5, momentum=0.1) over [F] vectors. */
  BatchNorm1d: (numFeatures: number, options: { eps?: number; momentum?: number } = {}): LayerDecl => batchNorm('BatchNorm1d', numFeatures, options),
  /** nn.BatchNorm2d(num_features, eps=1e-5, momentum=0.1) over the channels of [C, H, W] maps. */
  BatchNorm2d: (numFeatures: number, options: { eps?: number; momentum?: number } = {}): LayerDecl => batchNorm('BatchNorm2d', numFeatures, options),
  /** nn.ReLU(): max(0, x). */
  ReLU: (): LayerDecl => ({ type: 'ReLU' }),
  /** nn.Sigmoid(): 1 / (1 + e^-x). */
  Sigmoid: (): LayerDecl => ({ type: 'Sigmoid' }),
  /** [C, H, W] -> [C·H·W]; free (the buffer is the same). */
  Flatten: (): LayerDecl => ({ type: 'Flatten' }),
  /** nn.Identity(): y = x, free; DenseNet's X in cat(X, block(X)) as a Concat branch. */
  Identity: (): LayerDecl => ({ type: 'Identity' }),
  /** nn.Dropout(p): zeroes each value with probability p in training, scales the rest by 1/(1-p); nothing in evaluation. */
  Dropout: (p: number): LayerDecl => {
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new ArgumentError(`Dropout p must be at least 0 and below 1, not ${String(p)}`);
    return { type: 'Dropout', p };
  },
  /** nn.Sequential(...layers): the layers one after another (at least one). */
  Sequential: (...layers: LayerDecl[]): SequentialDecl => {
    if (layers.length === 0) throw new ArgumentError('Sequential needs at least one layer');
    return { type: 'Sequential', layers };
  },
  /** y = body(x) + shortcut(x), the shortcut the identity when null (d2l 7.6's Residual without its final ReLU). */
  Residual: (body: LayerDecl, shortcut: LayerDecl | null = null): LayerDecl => ({ type: 'Residual', body, shortcut }),
  /** The branches' outputs concatenated along channels (torch.cat(..., dim=1)), as GoogLeNet's Inception and DenseNet do. */
  Concat: (...branches: LayerDecl[]): LayerDecl => {
    if (branches.length < 1) throw new ArgumentError('Concat needs at least one branch');
    return { type: 'Concat', branches };
  },
};

function pool(type: 'MaxPool2d' | 'AvgPool2d', kernelSize: number, options: { stride?: number; padding?: number }): LayerDecl {
  const k = positive(`${type} kernel_size`, kernelSize, 7);
  const padding = nonNegative(`${type} padding`, options.padding ?? 0, 3);
  if (2 * padding > k) throw new ArgumentError(`${type} padding must be at most half of kernel_size (${k}), not ${padding}`);
  return { type, kernelSize: k, stride: positive(`${type} stride`, options.stride ?? k, 4), padding };
}

function batchNorm(type: 'BatchNorm1d' | 'BatchNorm2d', numFeatures: number, options: { eps?: number; momentum?: number }): LayerDecl {
  const eps = options.eps ?? 1e-5;
  const momentum = options.momentum ?? 0.1;
  if (!(typeof eps === 'number' && eps > 0 && eps < 1)) throw new ArgumentError(`${type} eps must be a number in (0, 1), not ${String(eps)}`);
  if (!(typeof momentum === 'number' && momentum > 0 && momentum <= 1)) throw new ArgumentError(`${type} momentum must be a number in (0, 1], not ${String(momentum)}`);
  return { type, numFeatures: positive(`${type} num_features`, numFeatures), eps, momentum };
}

export { windowOutput };

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

/** The per-sample output shape of `layer` given its input shape; an ArgumentError naming the layer when they do not fit. */
export function outputShape(layer: LayerDecl, input: readonly number[], where = 'layer'): number[] {
  const image = (): [number, number, number] => {
    if (input.length !== 3) throw new ArgumentError(`${where} (${layer.type}) needs [C, H, W] maps, its input is ${shapeText(input)}: put it before Flatten`);
    return input as [number, number, number];
  };
  switch (layer.type) {
    case 'Linear': {
      if (input.length !== 1) throw new ArgumentError(`${where} (Linear) needs vectors, its input is ${shapeText(input)}: put nn.Flatten() before it`);
      if (input[0] !== layer.inFeatures) throw new ArgumentError(`${where} (Linear) takes ${layer.inFeatures} features, its input has ${input[0]}: make it nn.Linear(${input[0]}, ${layer.outFeatures})`);
      return [layer.outFeatures];
    }
    case 'Conv2d': {
      const [c, h, w] = image();
      if (c !== layer.inChannels) throw new ArgumentError(`${where} (Conv2d) takes ${layer.inChannels} channels, its input has ${c}`);
      const ho = windowOutput(h, layer.kernelSize, layer.stride, layer.padding);
      const wo = windowOutput(w, layer.kernelSize, layer.stride, layer.padding);
      if (ho < 1 || wo < 1) throw new ArgumentError(`${where} (Conv2d ${layer.kernelSize}x${layer.kernelSize}) is larger than its padded ${h}x${w} input: use larger images (resize) or a smaller kernel`);
      return [layer.outChannels, ho, wo];
    }
    case 'MaxPool2d':
    case 'AvgPool2d': {
      const [c, h, w] = image();
      const ho = windowOutput(h, layer.kernelSize, layer.stride, layer.padding);
      const wo = windowOutput(w, layer.kernelSize, layer.stride, layer.padding);
      if (ho < 1 || wo < 1) throw new ArgumentError(`${where} (${layer.type} ${layer.kernelSize}) is larger than its padded ${h}x${w} input: use larger images (resize)`);
      return [c, ho, wo];
    }
    case 'AdaptiveAvgPool2d':
      return [image()[0], 1, 1];
    case 'BatchNorm1d':
      if (input.length !== 1 || input[0] !== layer.numFeatures) throw new ArgumentError(`${where} (BatchNorm1d(${layer.numFeatures})) needs [${layer.numFeatures}] vectors, its input is ${shapeText(input)}`);
      return [...input];
    case 'BatchNorm2d':
      if (image()[0] !== layer.numFeatures) throw new ArgumentError(`${where} (BatchNorm2d(${layer.numFeatures})) needs ${layer.numFeatures} channels, its input has ${input[0]}`);
      return [...input];
    case 'ReLU':
    case 'Sigmoid':
    case 'Dropout':
    case 'Identity':
      return [...input];
    case 'Flatten':
      return [elementsOf(input)];
    case 'Sequential':
      return layer.layers.reduce<number[]>((s, l, i) => outputShape(l, s, `${where}.${i}`), [...input]);
    case 'Residual': {
      const body = outputShape(layer.body, input, `${where}.body`);
      const shortcut = layer.shortcut ? outputShape(layer.shortcut, input, `${where}.shortcut`) : [...input];
      if (shapeText(body) !== shapeText(shortcut)) throw new ArgumentError(`${where} (Residual): its body gives ${shapeText(body)}, its shortcut ${shapeText(shortcut)}; give the shortcut a 1x1 Conv2d with the body's stride and channels`);
      return body;
    }
    case 'Concat': {
      const outs = layer.branches.map((b, i) => outputShape(b, input, `${where}.${i}`));
      const [first] = outs;
      if (first.length !== 3 || outs.some((o) => o.length !== 3 || o[1] !== first[1] || o[2] !== first[2])) {
        throw new ArgumentError(`${where} (Concat): its branches must give maps of one height and width, they give ${outs.map(shapeText).join(', ')}`);
      }
      return [outs.reduce((n, o) => n + o[0], 0), first[1], first[2]];
    }
    default:
      throw new ArgumentError(`${where}: unknown layer type "${(layer as { type: unknown }).type}"`);
  }
}

/** Every tensor a layer owns, named as PyTorch's state_dict would (prefix + '.' + name), in state_dict order. */
export function parameterInfo(layer: LayerDecl, input: readonly number[], prefix = ''): Array<[string, ParameterInfo]> {
  const name = (n: string) => (prefix ? `${prefix}.${n}` : n);
  switch (layer.type) {
    case 'Linear': {
      const [i, o] = [layer.inFeatures, layer.outFeatures];
      return [
        [name('weight'), { shape: [i, o], trainable: true, decay: true, init: { kind: 'xavier', fanIn: i, fanOut: o } }],
        [name('bias'), { shape: [o], trainable: true, decay: false, init: { kind: 'uniform', bound: 1 / Math.sqrt(i) } }],
      ];
    }
    case 'Conv2d': {
      const k2 = layer.kernelSize * layer.kernelSize;
      const fanIn = layer.inChannels * k2;
      return [
        [name('weight'), { shape: [layer.outChannels, layer.inChannels, layer.kernelSize, layer.kernelSize], trainable: true, decay: true, init: { kind: 'xavier', fanIn, fanOut: layer.outChannels * k2 } }],
        [name('bias'), { shape: [layer.outChannels], trainable: true, decay: false, init: { kind: 'uniform', bound: 1 / Math.sqrt(fanIn) } }],
      ];
    }
    case 'BatchNorm1d':
    case 'BatchNorm2d': {
      const c = [layer.numFeatures];
      return [
        [name('weight'), { shape: c, trainable: true, decay: false, init: { kind: 'ones' } }],
        [name('bias'), { shape: c, trainable: true, decay: false, init: { kind: 'zeros' } }],
        [name('running_mean'), { shape: c, trainable: false, decay: false, init: { kind: 'zeros' } }],
        [name('running_var'), { shape: c, trainable: false, decay: false, init: { kind: 'ones' } }],
      ];
    }
    case 'Sequential': {
      const out: Array<[string, ParameterInfo]> = [];
      let s = [...input];
      layer.layers.forEach((l, i) => {
        out.push(...parameterInfo(l, s, name(String(i))));
        s = outputShape(l, s);
      });
      return out;
    }
    case 'Residual':
      return [...parameterInfo(layer.body, input, name('body')), ...(layer.shortcut ? parameterInfo(layer.shortcut, input, name('shortcut')) : [])];
    case 'Concat':
      return layer.branches.flatMap((b, i) => parameterInfo(b, input, name(String(i))));
    default:
      return [];
  }
}

/**
 * Fresh tensors for a network: d2l's init_weights (Xavier-uniform Linear and Conv2d weights, as train_ch6 applies)
 * and PyTorch's default biases, drawn tensor by tensor in state_dict order from one seeded stream (LeNet's
 * lenetInit draws the same way, so a Sequential LeNet starts from LeNet's numbers).
 */
export function initParameters(net: LayerDecl, input: readonly number[], seed: number): Parameters {
  const rng = new Rng(seed);
  const params: Parameters = {};
  for (const [name, info] of parameterInfo(net, input)) {
    const data = new Float32Array(elementsOf(info.shape));
    const init = info.init;
    if (init.kind === 'xavier') {
      const bound = Math.sqrt(6 / (init.fanIn + init.fanOut));
      for (let i = 0; i < data.length; i++) data[i] = (2 * rng.uniform() - 1) * bound;
    } else if (init.kind === 'uniform') {
      for (let i = 0; i < data.length; i++) data[i] = (2 * rng.uniform() - 1) * init.bound;
    } else if (init.kind === 'ones') data.fill(1);
    params[name] = { shape: info.shape, data };
  }
  return params;
}

/** One row of the book's shape walk: a layer, its output shape per sample, its parameter count. */
export interface ShapeRow {
  /** The layer's class name. */
  name: string;
  /** Its output shape for one sample. */
  output: number[];
  /** Its parameter count. */
  parameters: number;
}

/** d2l's `for layer in net: X = layer(X); print(layer.__class__.__name__, 'output shape:', X.shape)`, top-level layers. */
export function shapeWalk(net: SequentialDecl, input: readonly number[]): ShapeRow[] {
  let s = [...input];
  return net.layers.map((layer, i) => {
    const parameters = parameterInfo(layer, s, String(i)).filter(([, p]) => p.trainable).reduce((n, [, p]) => n + elementsOf(p.shape), 0);
    s = outputShape(layer, s, `layer ${i}`);
    return { name: layer.type, output: [...s], parameters };
  });
}

/** Whether `layer` is, or holds anywhere inside it, a layer of one of `types`. */
export function containsLayer(layer: LayerDecl, types: ReadonlyArray<LayerDecl['type']>): boolean {
  if (types.includes(layer.type)) return true;
  if (layer.type === 'Sequential') return layer.layers.some((l) => containsLayer(l, types));
  if (layer.type === 'Residual') return containsLayer(layer.body, types) || (layer.shortcut !== null && containsLayer(layer.shortcut, types));
  if (layer.type === 'Concat') return layer.branches.some((b) => containsLayer(b, types));
  return false;
}

/** Trainable values in a network (what PyTorch's sum(p.numel() for p in net.parameters()) counts). */
export const trainableCount = (net: LayerDecl, input: readonly number[]): number =>
  parameterInfo(net, input).filter(([, p]) => p.trainable).reduce((n, [, p]) => n + elementsOf(p.shape), 0);

const LAYER_TYPES = new Set(['Linear', 'Conv2d', 'MaxPool2d', 'AvgPool2d', 'AdaptiveAvgPool2d', 'BatchNorm1d', 'BatchNorm2d', 'ReLU', 'Sigmoid', 'Flatten', 'Identity', 'Dropout', 'Sequential', 'Residual', 'Concat']);

/**
 * A declaration read from JSON (a checkpoint, the page) rebuilt through the constructors above, so a file cannot
 * describe a layer the constructors would refuse. `where` names the place in messages.
 */
export function parseLayer(value: unknown, where = 'net'): LayerDecl {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ArgumentError(`${where} is not a layer (an object with a "type")`);
  const v = value as Record<string, unknown>;
  const type = v.type;
  if (typeof type !== 'string' || !LAYER_TYPES.has(type)) throw new ArgumentError(`${where} has an unknown layer type "${String(type)}"`);
  const n = (key: string) => v[key] as number;
  switch (type) {
    case 'Linear':
      return nn.Linear(n('inFeatures'), n('outFeatures'));
    case 'Conv2d':
      return nn.Conv2d(n('inChannels'), n('outChannels'), n('kernelSize'), { stride: n('stride'), padding: n('padding') });
    case 'MaxPool2d':
      return nn.MaxPool2d(n('kernelSize'), { stride: n('stride'), padding: n('padding') });
    case 'AvgPool2d':
      return nn.AvgPool2d(n('kernelSize'), { stride: n('stride'), padding: n('padding') });
    case 'AdaptiveAvgPool2d':
      return nn.AdaptiveAvgPool2d(n('outputSize') as 1);
    case 'BatchNorm1d':
      return nn.BatchNorm1d(n('numFeatures'), { eps: n('eps'), momentum: n('momentum') });
    case 'BatchNorm2d':
      return nn.BatchNorm2d(n('numFeatures'), { eps: n('eps'), momentum: n('momentum') });
    case 'ReLU':
      return nn.ReLU();
    case 'Sigmoid':
      return nn.Sigmoid();
    case 'Flatten':
      return nn.Flatten();
    case 'Identity':
      return nn.Identity();
    case 'Dropout':
      return nn.Dropout(n('p'));
    case 'Sequential': {
      if (!Array.isArray(v.layers)) throw new ArgumentError(`${where}.layers is not a list`);
      return nn.Sequential(...v.layers.map((l, i) => parseLayer(l, `${where}.${i}`)));
    }
    case 'Residual':
      return nn.Residual(parseLayer(v.body, `${where}.body`), v.shortcut === null || v.shortcut === undefined ? null : parseLayer(v.shortcut, `${where}.shortcut`));
    default: {
      if (!Array.isArray(v.branches)) throw new ArgumentError(`${where}.branches is not a list`);
      return nn.Concat(...v.branches.map((b, i) => parseLayer(b, `${where}.${i}`)));
    }
  }
}
