/**
 * The CPU twin of a declared network (nn/declare.ts), in f64: forward, backward and one SGD-free training step,
 * composed layer by layer from the kernels' twins (src/reference/*), so a GPU network is checked against it and
 * its gradients against finite differences. Slow and plain on purpose.
 */
import { ACTIVATION_CODES } from '../kernels/activation.js';
import { activationBackward, activationForward } from './activation.js';
import { add, addInto } from './add.js';
import { channelCopyInto, channelCopyOut } from './channel_copy.js';
import { batchNormForward, batchNormGradReduce, batchNormInputGrad, batchNormStatistics } from './batch_norm.js';
import { conv2dGeneralForward, conv2dGeneralInputGrad, conv2dGeneralWeightGrad } from './conv2d_general.js';
import { f64 } from './conv2d_forward.js';
import { dropoutKeep, type MaskStep } from './dropout_mask.js';
import { dropoutConstants } from '../kernels/dropout_mask.js';
import type { ModelSpec, ReferenceModel } from '../model/model.js';
import { elementsOf, type Parameters } from '../model/tensors.js';
import { type LayerDecl, outputShape, windowOutput } from '../nn/declare.js';

/** Every tensor of a network by state_dict name, as f64 (running statistics are updated in place in training). */
export type TwinTensors = Record<string, Float64Array>;

export interface TwinOptions {
  training: boolean;
  /** The run's seed and the step (epoch, index): dropout's masks, as the GPU draws them. */
  seed: number;
  step: MaskStep;
}

/** A forward's result: the output [rows, ...shape] and the backward that maps ∂l/∂output to ∂l/∂input, adding parameter gradients to `grads`. */
interface Taped {
  y: Float64Array;
  shape: number[];
  back(dy: Float64Array, grads: TwinTensors): Float64Array;
}

const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);

function addGrad(grads: TwinTensors, name: string, g: ArrayLike<number>): void {
  const t = (grads[name] ??= new Float64Array(g.length));
  for (let i = 0; i < g.length; i++) t[i] += g[i];
}

/** Forward of `layer` on x [rows, ...input]; `dropouts` counts dropout layers in build order, as the GPU network does. */
export function twinForward(layer: LayerDecl, x: Float64Array, rows: number, input: readonly number[], tensors: TwinTensors, opts: TwinOptions, prefix = '', counter = { dropouts: 0 }): Taped {
  const shape = outputShape(layer, input, prefix || 'net');
  const t = (name: string) => tensors[join(prefix, name)];
  switch (layer.type) {
    case 'Linear': {
      const [K, N] = [layer.inFeatures, layer.outFeatures];
      const w = t('weight');
      const b = t('bias');
      const y = new Float64Array(rows * N);
      for (let r = 0; r < rows; r++) for (let n = 0; n < N; n++) {
        let acc = b[n];
        for (let k = 0; k < K; k++) acc += x[r * K + k] * w[k * N + n];
        y[r * N + n] = acc;
      }
      return {
        y,
        shape,
        back(dy, grads) {
          const dw = new Float64Array(K * N);
          const db = new Float64Array(N);
          const dx = new Float64Array(rows * K);
          for (let r = 0; r < rows; r++) for (let n = 0; n < N; n++) {
            const g = dy[r * N + n];
            db[n] += g;
            for (let k = 0; k < K; k++) {
              dw[k * N + n] += x[r * K + k] * g;
              dx[r * K + k] += g * w[k * N + n];
            }
          }
          addGrad(grads, join(prefix, 'weight'), dw);
          addGrad(grads, join(prefix, 'bias'), db);
          return dx;
        },
      };
    }
    case 'Conv2d': {
      const d = { cIn: layer.inChannels, cOut: layer.outChannels, h: input[1], w: input[2], ks: layer.kernelSize, stride: layer.stride, pad: layer.padding };
      const w = t('weight');
      const y = conv2dGeneralForward(x, w, t('bias'), rows, d, 0, f64) as Float64Array;
      return {
        y,
        shape,
        back(dy, grads) {
          const { dw, db } = conv2dGeneralWeightGrad(x, dy, rows, d, f64);
          addGrad(grads, join(prefix, 'weight'), dw);
          addGrad(grads, join(prefix, 'bias'), db);
          return conv2dGeneralInputGrad(dy, w, rows, d, f64) as Float64Array;
        },
      };
    }
    case 'BatchNorm1d':
    case 'BatchNorm2d': {
      const C = layer.numFeatures;
      const hw = elementsOf(input) / C;
      const weight = t('weight');
      const bias = t('bias');
      if (!opts.training) {
        const y = batchNormForward(x, rows, C, hw, { weight, bias, mean: t('running_mean'), spread: t('running_var') }, false, layer.eps);
        return { y, shape, back: () => { throw new Error('twin: backward of an evaluation forward'); } };
      }
      const s = batchNormStatistics(x, rows, C, hw, { mean: t('running_mean'), var: t('running_var') }, layer.momentum, layer.eps);
      t('running_mean').set(s.runningMean);
      t('running_var').set(s.runningVar);
      const y = batchNormForward(x, rows, C, hw, { weight, bias, mean: s.mean, spread: s.invstd }, true, layer.eps);
      return {
        y,
        shape,
        back(dy, grads) {
          const sums = batchNormGradReduce(x, dy, rows, C, hw, s);
          addGrad(grads, join(prefix, 'weight'), sums.dweight);
          addGrad(grads, join(prefix, 'bias'), sums.dbias);
          return batchNormInputGrad(x, dy, rows, C, hw, { ...s, weight, ...sums });
        },
      };
    }
    case 'MaxPool2d':
    case 'AvgPool2d':
      return poolTwin(layer, x, rows, input, shape);
    case 'AdaptiveAvgPool2d': {
      const [c, h, w] = input;
      return poolTwin({ type: 'AvgPool2d', kernelSize: Math.max(h, w), stride: 1, padding: 0 }, x, rows, [c, h, w], shape, [h, w]);
    }
    case 'ReLU':
    case 'Sigmoid': {
      const act = layer.type === 'ReLU' ? ACTIVATION_CODES.relu : ACTIVATION_CODES.sigmoid;
      const y = activationForward(x, act);
      return { y, shape, back: (dy) => activationBackward(y, dy, act) };
    }
    case 'Flatten':
    case 'Identity':
      return { y: x, shape, back: (dy) => dy };
    case 'Dropout': {
      if (!opts.training || layer.p === 0) return { y: x, shape, back: (dy) => dy };
      const m = dropoutConstants(layer.p, opts.seed, counter.dropouts++);
      // The GPU's mask and scale, applied in f64 (dropoutApply rounds to f32 as the GPU does; finite differences need f64).
      const keep = (i: number) => (dropoutKeep(m, opts.step, i) ? m.DROP_SCALE : 0);
      const y = x.map((v, i) => v * keep(i));
      return { y, shape, back: (dy) => dy.map((g, i) => g * keep(i)) };
    }
    case 'Sequential': {
      const tapes: Taped[] = [];
      let at = x;
      let s: readonly number[] = input;
      layer.layers.forEach((l, i) => {
        const taped = twinForward(l, at, rows, s, tensors, opts, join(prefix, String(i)), counter);
        tapes.push(taped);
        at = taped.y;
        s = taped.shape;
      });
      return {
        y: at,
        shape,
        back(dy, grads) {
          let d = dy;
          for (let i = tapes.length - 1; i >= 0; i--) d = tapes[i].back(d, grads);
          return d;
        },
      };
    }
    case 'Residual': {
      const body = twinForward(layer.body, x, rows, input, tensors, opts, join(prefix, 'body'), counter);
      const shortcut = layer.shortcut ? twinForward(layer.shortcut, x, rows, input, tensors, opts, join(prefix, 'shortcut'), counter) : null;
      const y = add(body.y, shortcut ? shortcut.y : x);
      return {
        y,
        shape,
        back(dy, grads) {
          const a = body.back(dy, grads);
          const b = shortcut ? shortcut.back(dy, grads) : dy;
          return add(a, b);
        },
      };
    }
    case 'Concat': {
      const branches = layer.branches.map((b, i) => twinForward(b, x, rows, input, tensors, opts, join(prefix, String(i)), counter));
      const [total, h, w] = shape;
      const hw = h * w;
      const y = new Float64Array(rows * total * hw);
      let offset = 0;
      const offsets = branches.map((b) => {
        channelCopyInto(b.y, y, rows, b.shape[0], total, hw, offset);
        offset += b.shape[0];
        return offset - b.shape[0];
      });
      return {
        y,
        shape,
        back(dy, grads) {
          const dx = new Float64Array(x.length);
          branches.forEach((b, i) => {
            addInto(dx, b.back(channelCopyOut(dy, rows, b.shape[0], total, hw, offsets[i]), grads));
          });
          return dx;
        },
      };
    }
  }
}

/**
 * Max or average pooling with PyTorch's semantics (AvgPool2d counts padding, count_include_pad=True; MaxPool2d
 * pads with -inf and sends the gradient to the first maximum of its window in scan order). `window`: [kh, kw]
 * when not square (global average pooling of a non-square map).
 */
function poolTwin(layer: { type: 'MaxPool2d' | 'AvgPool2d'; kernelSize: number; stride: number; padding: number }, x: Float64Array, rows: number, input: readonly number[], shape: number[], window?: [number, number]): Taped {
  const [c, h, w] = input;
  const [kh, kw] = window ?? [layer.kernelSize, layer.kernelSize];
  const { stride: s, padding: p } = layer;
  const ho = window ? 1 : windowOutput(h, kh, s, p);
  const wo = window ? 1 : windowOutput(w, kw, s, p);
  const max = layer.type === 'MaxPool2d';
  const y = new Float64Array(rows * c * ho * wo);
  const argmax = new Int32Array(y.length).fill(-1);
  for (let plane = 0; plane < rows * c; plane++) {
    for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) {
      let acc = max ? -Infinity : 0;
      let at = -1;
      for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
        const iy = oy * s + ky - p;
        const ix = ox * s + kx - p;
        if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
        const i = (plane * h + iy) * w + ix;
        if (max) {
          if (x[i] > acc) [acc, at] = [x[i], i];
        } else acc += x[i];
      }
      const o = (plane * ho + oy) * wo + ox;
      y[o] = max ? acc : acc / (kh * kw);
      argmax[o] = at;
    }
  }
  return {
    y,
    shape,
    back(dy) {
      const dx = new Float64Array(x.length);
      for (let plane = 0; plane < rows * c; plane++) {
        for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) {
          const o = (plane * ho + oy) * wo + ox;
          if (max) {
            if (argmax[o] >= 0) dx[argmax[o]] += dy[o];
            continue;
          }
          for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
            const iy = oy * s + ky - p;
            const ix = ox * s + kx - p;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) dx[(plane * h + iy) * w + ix] += dy[o] / (kh * kw);
          }
        }
      }
      return dx;
    },
  };
}

/** Mean cross-entropy over rows and its gradient (∂ mean / ∂ logits), in f64. */
export function twinCrossEntropy(logits: Float64Array, labels: ArrayLike<number>, rows: number, classes: number): { loss: number; correct: number; dlogits: Float64Array } {
  const dlogits = new Float64Array(rows * classes);
  let loss = 0;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const z = logits.subarray(r * classes, (r + 1) * classes);
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
    loss += lse - z[labels[r]];
    let best = 0;
    for (let n = 1; n < classes; n++) if (z[n] > z[best]) best = n;
    if (best === labels[r]) correct++;
    for (let n = 0; n < classes; n++) dlogits[r * classes + n] = (Math.exp(z[n] - lse) - (n === labels[r] ? 1 : 0)) / rows;
  }
  return { loss: loss / rows, correct, dlogits };
}

/** One step's forward and backward on the CPU: the mean loss, hits and every trainable tensor's gradient. */
export function twinStep(net: LayerDecl, input: readonly number[], x: Float64Array, labels: ArrayLike<number>, rows: number, classes: number, tensors: TwinTensors, opts: TwinOptions) {
  const taped = twinForward(net, x, rows, input, tensors, opts);
  const loss = twinCrossEntropy(taped.y, labels, rows, classes);
  const grads: TwinTensors = {};
  taped.back(loss.dlogits, grads);
  return { ...loss, logits: taped.y, grads };
}

/**
 * The CPU twin of a whole network model (ModelDefinition.reference) for the network `madeOf(spec)` gives: one
 * step is twinStep then plain SGD on the f32 parameters (BatchNorm's running statistics move as the twin moved
 * them), the forward is twinForward in evaluation mode. The network reads the data's images as they are (no resize).
 */
export function networkReference(madeOf: (spec: ModelSpec) => { net: LayerDecl; input: readonly number[] }): ReferenceModel {
  const made = (spec: ModelSpec) => {
    const m = madeOf(spec);
    const [c, h, w] = m.input;
    if (c !== spec.input.channels || h !== spec.input.height || w !== spec.input.width) throw new Error(`model ${spec.kind}: the CPU twin reads the data's ${spec.input.height}x${spec.input.width} images, not ${h}x${w}`);
    return m;
  };
  const f64Tensors = (params: Parameters): TwinTensors => Object.fromEntries(Object.entries(params).map(([k, t]) => [k, Float64Array.from(t.data)]));
  return {
    step(spec, params, x, y, rows, lr, step) {
      const { net, input } = made(spec);
      const tensors = f64Tensors(params);
      const r = twinStep(net, input, Float64Array.from(x.subarray(0, rows * elementsOf(input))), y, rows, spec.classes, tensors, { training: true, seed: step.seed, step: { epoch: step.epoch, index: step.index } });
      for (const [name, t] of Object.entries(params)) {
        const g = r.grads[name];
        if (g) for (let i = 0; i < t.data.length; i++) t.data[i] -= lr * g[i];
        else t.data.set(tensors[name]); // running statistics
      }
      return { lossSum: r.loss * rows, correct: r.correct };
    },
    forward(spec, params, x, rows) {
      const { net, input } = made(spec);
      const out = twinForward(net, Float64Array.from(x.subarray(0, rows * elementsOf(input))), rows, input, f64Tensors(params), { training: false, seed: 0, step: { epoch: 0, index: 0 } });
      return Float32Array.from(out.y);
    },
  };
}
