import { dropoutApply, type DropoutMask, type MaskStep } from './dropout_mask.js';

/**
 * CPU twin of the dense template's input_grad (shaders/linear.wgsl, linear_subgroup.wgsl; reluMask: ACT 2, sigmoidSlope: ACT 1): dx = (dy·Wᵀ) ⊙ [h > 0] ⊙ dropout mask / (1 - p), accumulated in
 * f64 (with sigmoidSlope: ⊙ h(1 - h), a sigmoid's slope from its output h, in f32 as the kernel does).
 * dy: [rows, N], W: [K, N], h: [rows, K] (the layer's input as the forward wrote it).
 */
export function linearInputGrad(
  dy: Float32Array,
  w: Float32Array,
  h: Float32Array,
  rows: number,
  K: number,
  N: number,
  opts: { reluMask: boolean; sigmoidSlope?: boolean; dropout?: { mask: DropoutMask; step: MaskStep } } = { reluMask: true },
): Float32Array {
  const dx = new Float32Array(rows * K); // [rows, K]
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < K; k++) {
      const i = r * K + k;
      if (opts.reluMask && !(h[i] > 0)) continue;
      let acc = 0;
      for (let n = 0; n < N; n++) acc += dy[r * N + n] * w[k * N + n];
      let v = Math.fround(acc);
      if (opts.sigmoidSlope) v = Math.fround(v * Math.fround(h[i] * Math.fround(1 - h[i])));
      dx[i] = opts.dropout ? dropoutApply(opts.dropout.mask, opts.dropout.step, v, i) : v;
    }
  }
  return dx;
}
