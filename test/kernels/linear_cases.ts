// What the two shapes' tests of the dense template share (test/kernels/linear.test.ts, linear_subgroup.test.ts).
import type { Rng } from '../../src/random.js';
import { randomFloats } from './harness.js';

/** ACT codes' names (ACTIVATION_CODES order), for test names. */
export const ACT_NAMES = ['none', 'sigmoid', 'ReLU'];
/** The twins' epilogue for an ACT code. */
export const epilogueOf = (act: number) => ({ relu: act === 2, sigmoid: act === 1 });
/** A layer's input as an activation ACT wrote it: a ReLU output (about half zeros), a sigmoid's in (0, 1), or any value. */
export const hiddenOf = (rng: Rng, n: number, act: number) =>
  randomFloats(rng, n, 1).map((v) => (act === 1 ? Math.fround(1 / (1 + Math.exp(-2 * v))) : act === 2 ? Math.max(v, 0) : v));

// Tolerances: the GPU sums in f32, the twins in f64. forward: x in [0, 1] (or bytes / 255), W ~ N(0, 0.1): |out| ~ 3
// and f32 rounding over K = 784 terms stays below ~1e-5. input_grad: dy ~ N(0, 0.01), |dx| ~ 0.02 over <= 256 terms.
// weight_grad: `rows` (<= 257) products of x in [0, 1] and dy ~ 1/rows, |dW| <= ~1, error below 1e-6.
export const FORWARD_TOL = { abs: 5e-5, rel: 1e-5 };
export const INPUT_GRAD_TOL = { abs: 1e-7, rel: 1e-5 };
export const WEIGHT_GRAD_TOL = { abs: 2e-6, rel: 1e-5 };
