/**
 * The stride-1 convolutions of LeNet's blocks (kernels/conv2d_subgroup.ts): their shape, its limits and output
 * size, and the activation codes every kernel that fuses an activation shares.
 */

/** Activations fused into the kernels that produce or differentiate them: the WGSL `ACT` override. */
export const ACTIVATION_CODES = { none: 0, sigmoid: 1, relu: 2 } as const;
export type ActivationName = keyof typeof ACTIVATION_CODES;

/** The output size of a stride-1 convolution. */
export const convOutput = (size: number, ks: number, pad: number): number => size + 2 * pad - ks + 1;

/** The shape overrides of the subgroup convolution kernels. */
/** (PAD, which may be 0, is not a shape: the shape check wants positive integers; it is a constant, default 0.) */
export type ConvShape = 'C_IN' | 'C_OUT' | 'H' | 'W' | 'KS';
export const CONV_SHAPE: readonly ConvShape[] = ['C_IN', 'C_OUT', 'H', 'W', 'KS'];

/** Why a convolution shape cannot run (the kernels' fixed accumulator arrays), or null. */
export function convProblem(c: Readonly<Record<string, number>>, limits: { maxIn?: number; maxOut?: number; maxKs?: number }): string | null {
  if (c.KS > c.H + 2 * c.PAD || c.KS > c.W + 2 * c.PAD) return `kernel ${c.KS} is larger than the padded ${c.H}x${c.W} input`;
  if (limits.maxIn !== undefined && c.C_IN > limits.maxIn) return `C_IN ${c.C_IN} is more than ${limits.maxIn}`;
  if (limits.maxOut !== undefined && c.C_OUT > limits.maxOut) return `C_OUT ${c.C_OUT} is more than ${limits.maxOut}`;
  if (limits.maxKs !== undefined && c.KS > limits.maxKs) return `KS ${c.KS} is more than ${limits.maxKs}`;
  return null;
}

/** A convolution's shape, stride 1: channels in and out, input height and width, kernel size, zero padding. */
export interface ConvDims {
  cIn: number;
  cOut: number;
  h: number;
  w: number;
  ks: number;
  pad: number;
}
/** Output height and width of a stride-1 convolution. */
export const convOut = (d: ConvDims) => ({ ho: convOutput(d.h, d.ks, d.pad), wo: convOutput(d.w, d.ks, d.pad) });
