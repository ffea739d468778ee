/**
 * LeNet's layer sizes (d2l 6.6), derived once from the model spec, for the GPU model and its CPU twin:
 *   Conv2d(C, 6, 5, padding=2) → act → pool 2 → Conv2d(6, 16, 5) → act → pool 2 → Flatten
 *   → Linear(16·5·5, 120) → act → Linear(120, 84) → act → Linear(84, classes)
 * (the sizes in the comments are Fashion-MNIST's 1x28x28).
 */
import { ACTIVATION_CODES } from '../kernels/conv2d_shape.js';
import { POOL_CODES } from '../kernels/pool_forward.js';
import type { ConvDims } from '../kernels/conv2d_shape.js';
import type { ModelSpec } from './model.js';

export const LENET = { c1: 6, c2: 16, ks: 5, pad1: 2, f1: 120, f2: 84 } as const;

export interface LenetDims {
  conv1: ConvDims; // C -> 6, 28x28 -> 28x28
  h1: number;
  w1: number;
  conv2: ConvDims; // 6 -> 16, 14x14 -> 10x10
  h2: number;
  w2: number;
  flat: number; // 16 · 5 · 5 = 400
  f1: number;
  f2: number;
}

export function lenetDims(spec: Pick<ModelSpec, 'input'>): LenetDims {
  const { channels, height, width } = spec.input;
  const conv1: ConvDims = { cIn: channels, cOut: LENET.c1, h: height, w: width, ks: LENET.ks, pad: LENET.pad1 };
  const h1 = height + 2 * LENET.pad1 - LENET.ks + 1;
  const w1 = width + 2 * LENET.pad1 - LENET.ks + 1;
  const conv2: ConvDims = { cIn: LENET.c1, cOut: LENET.c2, h: Math.floor(h1 / 2), w: Math.floor(w1 / 2), ks: LENET.ks, pad: 0 };
  const h2 = conv2.h - LENET.ks + 1;
  const w2 = conv2.w - LENET.ks + 1;
  return { conv1, h1, w1, conv2, h2, w2, flat: LENET.c2 * Math.floor(h2 / 2) * Math.floor(w2 / 2), f1: LENET.f1, f2: LENET.f2 };
}

/** The kernels' ACT and POOL codes for the spec's options. */
export function lenetCodes(spec: Pick<ModelSpec, 'options'>): { act: number; pool: number } {
  return { act: ACTIVATION_CODES[spec.options.activation as 'sigmoid' | 'relu'], pool: POOL_CODES[spec.options.pool as 'avg' | 'max'] };
}
