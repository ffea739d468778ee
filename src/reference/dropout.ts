import { dropoutApply, type DropoutMask, type MaskStep } from './dropout_mask.js';

/** CPU twin of shaders/dropout.wgsl over [rows, width] values: element i of the step kept by the shared hash. */
export function dropout(m: DropoutMask, step: MaskStep, x: Float32Array, rows: number, width: number): Float32Array {
  const out = new Float32Array(rows * width);
  for (let i = 0; i < rows * width; i++) out[i] = dropoutApply(m, step, x[i], i);
  return out;
}
