/**
 * Dropout's mask as override constants of the kernels that apply or undo it (shaders/prelude/dropout_mask.wgsl):
 * a layer's stream (a hash of the run's seed and the layer), the drop threshold and the keep scale. The CPU
 * twin (src/reference/dropout_mask.ts) computes the same hash from the same constants.
 */

/** lowbias32 (Chris Wellons' integer hash) in u32 arithmetic, as prelude/dropout_mask.wgsl's mix32. */
export function mix32(v: number): number {
  let x = v >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return x;
}

export const DROPOUT_PRELUDE = 'prelude/dropout_mask';

export interface DropoutConstants {
  DROP_SEED: number; // u32: the layer's stream
  DROP_THRESHOLD: number; // u32: dropped when hash < this; 0: dropout off
  DROP_SCALE: number; // f32: 1 / (1 - p)
  [name: string]: number;
}

/** The constants for dropout with probability `p` (0 <= p < 1) on the output of hidden layer `layer` of a run seeded `seed`. */
export function dropoutConstants(p: number, seed: number, layer: number): DropoutConstants {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout probability must be in [0, 1), not ${p}`);
  return {
    DROP_SEED: mix32((seed >>> 0) ^ mix32(0x5bd1e995 + layer)),
    DROP_THRESHOLD: Math.floor(p * 2 ** 32),
    DROP_SCALE: Math.fround(1 / (1 - p)),
  };
}

/** No dropout: every element kept, unscaled. */
export const NO_DROPOUT: DropoutConstants = { DROP_SEED: 0, DROP_THRESHOLD: 0, DROP_SCALE: 1 };
