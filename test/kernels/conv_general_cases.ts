/**
 * What the tests of convolutions at any stride and padding share (conv2d_general, and implicit GEMM through the
 * contraction template, both checked against conv2d_general's twins): a case's shape and steps, its random inputs,
 * the tolerance, and the check that rows past the step are left alone.
 */
import { expect } from 'vitest';
import { type ConvGeneralDims, convGeneralOut } from '../../src/reference/conv2d_general.js';
import { Rng } from '../../src/random.js';
import { expectClose, randomFloats, type testGpu, upload } from './harness.js';

export interface GeneralCase extends ConvGeneralDims {
  name: string;
  /** The step's rows, and the rows the kernel is created for (its largest step): a step may be shorter. */
  rows: number;
  maxRows: number;
}

// Inputs ~ N(0, 1), weights ~ N(0, 1/fan_in), dy ~ N(0, 1): each output is a sum of T f32 products of size ~1/sqrt(T)
// (forward, input gradient) or ~1 (weight gradient, T = rows·HO·WO); the f32 rounding grows ~ sqrt(T)·ulp of the
// largest partial sum, so the tolerance is 1e-6·sqrt(T) abs (3e-6 at least) + 1e-5 rel.
export const tolerance = (terms: number) => ({ abs: Math.max(3e-6, 1e-6 * Math.sqrt(terms)) * 4, rel: 1e-5 });

/** A buffer of n floats all 7: outputs must overwrite their part and leave the rest (rows past the step). */
export const filled = (gpu: Awaited<ReturnType<typeof testGpu>>, n: number) => upload(gpu, new Float32Array(n).fill(7), 'out');

/** The first `expected.length` values must match `expected`; the rest (rows past the step) must still hold the fill. */
export function expectPrefix(got: Float32Array, expected: ArrayLike<number>, tol: { abs: number; rel: number }, what: string) {
  expectClose(got.subarray(0, expected.length), expected, tol, what);
  expect(got.subarray(expected.length).every((v) => v === 7), `${what}: rows past the step left alone`).toBe(true);
}

/** A case's x [maxRows, cIn, h, w], w, bias and dy [maxRows, cOut, ho, wo], drawn from its shape. */
export function inputs(c: GeneralCase) {
  const rng = new Rng(c.cIn * 7 + c.cOut * 3 + c.ks + c.stride * 11 + c.pad * 5);
  const { ho, wo } = convGeneralOut(c);
  return {
    x: randomFloats(rng, c.maxRows * c.cIn * c.h * c.w),
    w: randomFloats(rng, c.cOut * c.cIn * c.ks * c.ks, 1 / Math.sqrt(c.cIn * c.ks * c.ks)),
    bias: randomFloats(rng, c.cOut),
    dy: randomFloats(rng, c.maxRows * c.cOut * ho * wo),
    ho,
    wo,
  };
}
