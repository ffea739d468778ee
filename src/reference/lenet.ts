/**
 * The CPU twin of a whole LeNet step (d2l 6.6), from the kernels' CPU twins in the order the GPU records them.
 * `alloc` picks the arithmetic: f32 arrays (like the GPU's buffers) for the whole-epoch check, or f64 for the
 * finite-difference check of the analytic gradients. The dense layers' helpers here compute what
 * matmul_bias, weight_grad, bias_grad, linear_input_grad (with its ReLU mask or sigmoid slope) and
 * log_softmax_cross_entropy compute (their twins are f32-only).
 */
import type { ModelSpec } from '../model/model.js';
import type { Parameters } from '../model/tensors.js';
import { lenetDims, lenetCodes } from '../model/lenet_shape.js';
import { activationForward } from './activation_forward.js';
import { argmaxAccuracy } from './argmax_accuracy.js';
import { activationSlope, type Alloc, conv2dForward, f32, type Floats } from './conv2d_forward.js';
import { conv2dInputGrad } from './conv2d_input_grad.js';
import { conv2dWeightGrad } from './conv2d_weight_grad.js';
import { poolBackward } from './pool_backward.js';
import { poolForward } from './pool_forward.js';

/** x·W + b, W: [k, n]. */
function linear(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>, rows: number, k: number, n: number, alloc: Alloc): Floats {
  const y = alloc(rows * n);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let i = 0; i < k; i++) acc += x[r * k + i] * w[i * n + j];
      y[r * n + j] = acc + b[j];
    }
  }
  return y;
}

/** dx = (dy · Wᵀ) ⊙ act'(x), W: [k, n] (linear_input_grad with RELU_MASK / SIGMOID_SLOPE; act 0: no slope). */
function denseInputGrad(dy: ArrayLike<number>, w: ArrayLike<number>, x: ArrayLike<number>, rows: number, k: number, n: number, act: number, alloc: Alloc): Floats {
  const dx = alloc(rows * k); // [rows, k]
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < k; i++) {
      let acc = 0;
      for (let j = 0; j < n; j++) acc += dy[r * n + j] * w[i * n + j];
      dx[r * k + i] = acc * activationSlope(x[r * k + i], act);
    }
  }
  return dx;
}

/** dW = xᵀ·dy [k, n] and db = column sums of dy [n]. */
function linearParamGrads(x: ArrayLike<number>, dy: ArrayLike<number>, rows: number, k: number, n: number, alloc: Alloc): { dw: Floats; db: Floats } {
  const dw = new Float64Array(k * n);
  const db = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < n; j++) db[j] += dy[r * n + j];
    for (let i = 0; i < k; i++) {
      const xv = x[r * k + i];
      if (xv === 0) continue;
      for (let j = 0; j < n; j++) dw[i * n + j] += xv * dy[r * n + j];
    }
  }
  const outW = alloc(k * n);
  outW.set(dw);
  const outB = alloc(n);
  outB.set(db);
  return { dw: outW, db: outB };
}

/** Stable cross-entropy (log-sum-exp): loss sum and ∂(mean loss)/∂logits. */
function crossEntropyGrad(logits: ArrayLike<number>, y: ArrayLike<number>, rows: number, n: number, alloc: Alloc): { sum: number; dlogits: Floats } {
  const dlogits = alloc(rows * n);
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let j = 0; j < n; j++) m = Math.max(m, logits[r * n + j]);
    let total = 0;
    for (let j = 0; j < n; j++) total += Math.exp(logits[r * n + j] - m);
    const lse = m + Math.log(total);
    sum += lse - logits[r * n + y[r]];
    for (let j = 0; j < n; j++) dlogits[r * n + j] = (Math.exp(logits[r * n + j] - lse) - (j === y[r] ? 1 : 0)) / rows;
  }
  return { sum, dlogits };
}

export interface LenetActivations {
  a1: Floats; // [rows, c1, h1, w1] after the activation
  p1: Floats; // [rows, c1, h1/2, w1/2]
  a2: Floats; // [rows, c2, h2, w2]
  p2: Floats; // [rows, flat]
  a3: Floats; // [rows, f1]
  a4: Floats; // [rows, f2]
  logits: Floats; // [rows, classes]
}

/** The forward pass; `x`: [rows, channels·height·width], pixels / 255. */
export function lenetForwardAll(spec: ModelSpec, p: Parameters, x: ArrayLike<number>, rows: number, alloc: Alloc = f32): LenetActivations {
  const d = lenetDims(spec);
  const { act, pool } = lenetCodes(spec);
  const a1 = conv2dForward(x, p['conv1.weight'].data, p['conv1.bias'].data, rows, d.conv1, act, alloc);
  const p1 = poolForward(a1, rows, d.conv1.cOut, d.h1, d.w1, pool, alloc);
  const a2 = conv2dForward(p1, p['conv2.weight'].data, p['conv2.bias'].data, rows, d.conv2, act, alloc);
  const p2 = poolForward(a2, rows, d.conv2.cOut, d.h2, d.w2, pool, alloc);
  const a3 = activationForward(linear(p2, p['fc1.weight'].data, p['fc1.bias'].data, rows, d.flat, d.f1, alloc), act, alloc);
  const a4 = activationForward(linear(a3, p['fc2.weight'].data, p['fc2.bias'].data, rows, d.f1, d.f2, alloc), act, alloc);
  const logits = linear(a4, p['fc3.weight'].data, p['fc3.bias'].data, rows, d.f2, spec.classes, alloc);
  return { a1, p1, a2, p2, a3, a4, logits };
}

/** The mean loss's gradient for every parameter (by name), with the loss sum and hits of the batch. */
export function lenetGradients(spec: ModelSpec, p: Parameters, x: ArrayLike<number>, y: ArrayLike<number>, rows: number, alloc: Alloc = f32): { lossSum: number; correct: number; grads: Record<string, Floats> } {
  const d = lenetDims(spec);
  const { act, pool } = lenetCodes(spec);
  const f = lenetForwardAll(spec, p, x, rows, alloc);
  const N = spec.classes;
  const { sum, dlogits } = crossEntropyGrad(f.logits, y, rows, N, alloc);
  const correct = argmaxAccuracy(Float32Array.from(f.logits), y, rows, N).correct;
  const g3 = linearParamGrads(f.a4, dlogits, rows, d.f2, N, alloc);
  const d4 = denseInputGrad(dlogits, p['fc3.weight'].data, f.a4, rows, d.f2, N, act, alloc);
  const g2 = linearParamGrads(f.a3, d4, rows, d.f1, d.f2, alloc);
  const d3 = denseInputGrad(d4, p['fc2.weight'].data, f.a3, rows, d.f1, d.f2, act, alloc);
  const g1 = linearParamGrads(f.p2, d3, rows, d.flat, d.f1, alloc);
  const dp2 = denseInputGrad(d3, p['fc1.weight'].data, f.p2, rows, d.flat, d.f1, 0, alloc);
  const d2 = poolBackward(f.a2, dp2, rows, d.conv2.cOut, d.h2, d.w2, pool, act, alloc);
  const c2 = conv2dWeightGrad(f.p1, d2, rows, d.conv2, alloc);
  const dp1 = conv2dInputGrad(d2, p['conv2.weight'].data, rows, d.conv2, alloc);
  const d1 = poolBackward(f.a1, dp1, rows, d.conv1.cOut, d.h1, d.w1, pool, act, alloc);
  const c1 = conv2dWeightGrad(x, d1, rows, d.conv1, alloc);
  return {
    lossSum: sum,
    correct,
    grads: {
      'conv1.weight': c1.dw,
      'conv1.bias': c1.db,
      'conv2.weight': c2.dw,
      'conv2.bias': c2.db,
      'fc1.weight': g1.dw,
      'fc1.bias': g1.db,
      'fc2.weight': g2.dw,
      'fc2.bias': g2.db,
      'fc3.weight': g3.dw,
      'fc3.bias': g3.db,
    },
  };
}

/** One SGD step in place (f32, as on the GPU). */
export function lenetStep(spec: ModelSpec, params: Parameters, x: Float32Array, y: Uint32Array, rows: number, lr: number): { lossSum: number; correct: number } {
  const { lossSum, correct, grads } = lenetGradients(spec, params, x, y, rows);
  for (const [name, g] of Object.entries(grads)) {
    const t = params[name].data;
    for (let i = 0; i < t.length; i++) t[i] -= lr * g[i];
  }
  return { lossSum, correct };
}

/** Logits [rows, classes] in evaluation mode. */
export function lenetForward(spec: ModelSpec, params: Parameters, x: Float32Array, rows: number): Float32Array {
  return Float32Array.from(lenetForwardAll(spec, params, x, rows).logits);
}
