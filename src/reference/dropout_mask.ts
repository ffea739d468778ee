/**
 * CPU twin of shaders/prelude/dropout_mask.wgsl: the same u32 hash of (layer stream, epoch, step, element), so
 * the CPU reference drops exactly the elements the GPU drops.
 */
import { mix32 } from '../kernels/dropout_mask.js';

export { mix32 };

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
