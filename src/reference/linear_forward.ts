import { activate } from './conv2d_forward.js';
import { dropoutApply, type DropoutMask, type MaskStep } from './dropout_mask.js';

/** What follows the matmul in a dense layer's forward: ReLU or sigmoid (the kernels' ACT 2 or 1), and dropout in training. */
export interface Epilogue {
  relu: boolean;
  sigmoid?: boolean;
  dropout?: { mask: DropoutMask; step: MaskStep };
}

/** ReLU or sigmoid, then dropout, of one value at `element` (row * width + column of the step). */
export function applyEpilogue(v: number, element: number, e: Epilogue): number {
  const a = activate(v, e.relu ? 2 : e.sigmoid ? 1 : 0); // conv2d_forward's ACT codes
  return e.dropout ? dropoutApply(e.dropout.mask, e.dropout.step, a, element) : a;
}

/** CPU twin of the dense template's forward with an f32 x (shaders/linear.wgsl, linear_subgroup.wgsl): out = act(x·W + b), x: [rows, K], W: [K, N], accumulated in f64. */
export function linearForward(x: Float32Array, w: Float32Array, b: Float32Array, rows: number, K: number, N: number, e: Epilogue = { relu: false }): Float32Array {
  const out = new Float32Array(rows * N); // [rows, N]
  const acc = new Float64Array(N);
  for (let r = 0; r < rows; r++) {
    acc.fill(0);
    for (let k = 0; k < K; k++) {
      const xv = x[r * K + k];
      if (xv === 0) continue;
      const row = k * N;
      for (let n = 0; n < N; n++) acc[n] += xv * w[row + n];
    }
    for (let n = 0; n < N; n++) out[r * N + n] = applyEpilogue(Math.fround(acc[n] + b[n]), r * N + n, e);
  }
  return out;
}
