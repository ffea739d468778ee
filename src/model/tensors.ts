/**
 * Parameters are named tensors: `name -> { shape, data }`, made by the model, in the order the model lists
 * them. Checkpoints, the divergence check, readback, the page's download and the pictures loop over them and
 * never need to know a name.
 */

export interface Tensor {
  /** row-major */
  shape: readonly number[];
  /** The values, row-major, as many as the shape holds. */
  data: Float32Array;
}

/** A model's parameters by name, in the model's order. */
export type Parameters = Record<string, Tensor>;

export const elementsOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** A deep copy (the CPU reference trains in place). */
export function cloneParameters(params: Parameters): Parameters {
  return Object.fromEntries(Object.entries(params).map(([name, t]) => [name, { shape: [...t.shape], data: t.data.slice() }]));
}

/** The first non-finite value of any tensor, with where it is, or null when all are finite. */
export function firstNonFinite(params: Parameters): { name: string; index: number; value: number } | null {
  for (const [name, t] of Object.entries(params)) {
    const index = t.data.findIndex((v) => !Number.isFinite(v));
    if (index >= 0) return { name, index, value: t.data[index] };
  }
  return null;
}

/** Total number of values across all tensors. */
export const parameterCount = (params: Parameters): number => Object.values(params).reduce((n, t) => n + t.data.length, 0);
