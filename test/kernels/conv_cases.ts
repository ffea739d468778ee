/**
 * The convolution shapes every conv kernel is tried on: LeNet's two layers, and awkward ones (channels 1, 3, 6,
 * 16; sizes 28, 14, 13, 5; a non-square input; padding that reaches past a 5x5 image; a 1x1 kernel), each at
 * minibatch sizes 1, 7 and 257 (past a 256-row batch). In the page (SwiftShader) only LeNet's two layers at 7 rows.
 */
import type { ConvDims } from '../../src/reference/conv2d_forward.js';
import { inPage } from './harness.js';

export interface ConvCase extends ConvDims {
  name: string;
  rows: number[];
}

const ALL_CASES: ConvCase[] = [
  { name: 'LeNet conv1 1->6, 28x28, k5 p2', cIn: 1, cOut: 6, h: 28, w: 28, ks: 5, pad: 2, rows: [1, 7, 257] },
  { name: 'LeNet conv2 6->16, 14x14, k5 p0', cIn: 6, cOut: 16, h: 14, w: 14, ks: 5, pad: 0, rows: [1, 7, 257] },
  { name: '3->16, 13x14, k5 p1', cIn: 3, cOut: 16, h: 13, w: 14, ks: 5, pad: 1, rows: [7] },
  { name: '16->6, 5x5, k5 p2', cIn: 16, cOut: 6, h: 5, w: 5, ks: 5, pad: 2, rows: [7] },
  { name: '3->1, 13x13, k3 p0', cIn: 3, cOut: 1, h: 13, w: 13, ks: 3, pad: 0, rows: [7] },
  { name: '6->3, 5x5, k1 p0', cIn: 6, cOut: 3, h: 5, w: 5, ks: 1, pad: 0, rows: [1] },
];

export const CONV_CASES: ConvCase[] = inPage(ALL_CASES, ALL_CASES.slice(0, 2).map((c) => ({ ...c, rows: [7] })));

export const convShape = (d: ConvDims) => ({ C_IN: d.cIn, C_OUT: d.cOut, H: d.h, W: d.w, KS: d.ks });
export const convPad = (d: ConvDims) => ({ PAD: d.pad });
