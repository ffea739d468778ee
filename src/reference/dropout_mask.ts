/**
 * CPU twin of shaders/prelude/dropout_mask.wgsl: the same u32 hash of (layer stream, epoch, step, element), so
 * the CPU reference drops exactly the elements the GPU drops.
 */

/** lowbias32 (Chris Wellons' integer hash), in u32 arithmetic as WGSL does it. */
export function mix32(v: number): number {
  let x = v >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return x;
}

export interface DropoutMask {
  DROP_SEED: number;
  DROP_THRESHOLD: number;
  DROP_SCALE: number;
}

/** The step's Step fields the mask reads. */
export interface MaskStep {
  epoch: number;
  index: number;
}

export function dropoutKeep(m: DropoutMask, step: MaskStep, element: number): boolean {
  return mix32((element ^ mix32((step.index ^ mix32((step.epoch ^ m.DROP_SEED) >>> 0)) >>> 0)) >>> 0) >= m.DROP_THRESHOLD;
}

/** v / (1 - p) where kept, 0 where dropped; v when dropout is off. f32 like the GPU's v * DROP_SCALE. */
export function dropoutApply(m: DropoutMask, step: MaskStep, v: number, element: number): number {
  if (m.DROP_THRESHOLD === 0) return v;
  return dropoutKeep(m, step, element) ? Math.fround(v * m.DROP_SCALE) : 0;
}
