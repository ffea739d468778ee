/**
 * The GPU memory a declared network's training takes at a batch size, without a GPU: the buffers nn/network.ts
 * and nn/model.ts allocate, walked from the declaration by the same rules (each node's output, its input's gradient
 * where something below needs it, its parameters' gradients, BatchNorm's step statistics, a Concat's branch
 * gradients, the gather's x0 and the loss), each padded as gpu/buffers.ts pads it. Not counted: the resident
 * dataset and an optimizer's state. `summary` prints it; a test holds it equal to what a built step reports.
 */
import { paddedSize } from '../gpu/buffers.js';
import { elementsOf } from '../model/tensors.js';
import { type LayerDecl, outputShape, parameterInfo } from './declare.js';

const hasTrainables = (layer: LayerDecl, input: readonly number[]): boolean => parameterInfo(layer, input).some(([, p]) => p.trainable);

/** Bytes of the buffers node `layer` owns in a training network of `rows` rows (nn/network.ts's Node.bytes). */
function nodeBytes(layer: LayerDecl, input: readonly number[], needsGrad: boolean, rows: number): number {
  const shape = outputShape(layer, input);
  const act = (s: readonly number[]) => paddedSize(rows * elementsOf(s) * 4);
  const dx = needsGrad ? act(input) : 0;
  const grads = parameterInfo(layer, input).filter(([, p]) => p.trainable).reduce((n, [, p]) => n + paddedSize(elementsOf(p.shape) * 4), 0);
  switch (layer.type) {
    case 'Linear':
    case 'Conv2d':
      return act(shape) + grads + dx;
    case 'BatchNorm1d':
    case 'BatchNorm2d':
      return act(shape) + 2 * paddedSize(layer.numFeatures * 4) + grads + dx;
    case 'MaxPool2d':
    case 'AvgPool2d':
    case 'AdaptiveAvgPool2d':
    case 'ReLU':
    case 'Sigmoid':
      return act(shape) + dx;
    case 'Dropout':
      return layer.p === 0 ? 0 : act(shape) + dx;
    case 'Flatten':
    case 'Identity':
      return 0;
    case 'Sequential': {
      let total = 0;
      let at = input;
      let grad = needsGrad;
      for (const l of layer.layers) {
        total += nodeBytes(l, at, grad, rows);
        grad = grad || hasTrainables(l, at);
        at = outputShape(l, at);
      }
      return total;
    }
    case 'Residual':
      return act(shape) + dx + nodeBytes(layer.body, input, needsGrad, rows) + (layer.shortcut ? nodeBytes(layer.shortcut, input, needsGrad, rows) : 0);
    case 'Concat': {
      const branches = layer.branches.reduce((n, b) => n + nodeBytes(b, input, needsGrad, rows) + act(outputShape(b, input)), 0);
      return act(shape) + (needsGrad && layer.branches.length > 1 ? dx : 0) + branches;
    }
  }
}

/** Bytes of every GPU buffer a training step of `net` on [rows, ...input] holds: its tensors, its step (activations, gradients, loss). */
export function trainingBytes(net: LayerDecl, input: readonly number[], classes: number, rows: number): { parameters: number; step: number; total: number } {
  const parameters = parameterInfo(net, input).reduce((n, [, p]) => n + paddedSize(elementsOf(p.shape) * 4), 0);
  const gather = paddedSize(rows * elementsOf(input) * 4) + 2 * paddedSize(rows * 4); // x0, y, predictions
  const loss = paddedSize(rows * 4) + paddedSize(rows * classes * 4) + 2 * paddedSize(4); // per-row losses, dlogits, epoch totals
  const step = gather + nodeBytes(net, input, false, rows) + loss;
  return { parameters, step, total: parameters + step };
}

/** Values per sample of the largest [B, ...] tensor a training step of `net` binds (its input, every layer's output). */
export function largestActivation(net: LayerDecl, input: readonly number[]): { values: number; where: string } {
  let best = { values: elementsOf(input), where: 'the resized input' };
  const walk = (layer: LayerDecl, shape: readonly number[], path: string): number[] => {
    const out = outputShape(layer, shape, path);
    if (layer.type === 'Sequential') {
      let s: readonly number[] = shape;
      layer.layers.forEach((l, i) => (s = walk(l, s, path ? `${path}.${i}` : String(i))));
    } else if (layer.type === 'Residual') {
      walk(layer.body, shape, `${path}.body`);
      if (layer.shortcut) walk(layer.shortcut, shape, `${path}.shortcut`);
    } else if (layer.type === 'Concat') layer.branches.forEach((b, i) => walk(b, shape, `${path}.${i}`));
    if (elementsOf(out) > best.values) best = { values: elementsOf(out), where: `layer ${path} (${layer.type}, [${out.join(', ')}])` };
    return out;
  };
  walk(net, input, '');
  return best;
}
