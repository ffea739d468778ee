import { applyEpilogue, type Epilogue } from './linear_forward.js';

/**
 * CPU twin of the dense template's forward with the u8 input (shaders/linear.wgsl, linear_subgroup.wgsl): x = images[order[row0 + r]] / 255 (u8, [count, K]),
 * out = act(x·W + b) accumulated in f64, and y = the step's labels.
 */
export function linearForwardU8(
  images: Uint8Array,
  labels: ArrayLike<number>,
  order: ArrayLike<number>,
  row0: number,
  rows: number,
  w: Float32Array,
  b: Float32Array,
  K: number,
  N: number,
  e: Epilogue = { relu: false },
): { out: Float32Array; y: Uint32Array } {
  const out = new Float32Array(rows * N); // [rows, N]
  const y = new Uint32Array(rows);
  const acc = new Float64Array(N);
  for (let r = 0; r < rows; r++) {
    const sample = order[row0 + r];
    y[r] = labels[sample];
    acc.fill(0);
    for (let k = 0; k < K; k++) {
      const px = images[sample * K + k];
      if (px === 0) continue;
      const row = k * N;
      for (let n = 0; n < N; n++) acc[n] += px * w[row + n];
    }
    for (let n = 0; n < N; n++) out[r * N + n] = applyEpilogue(Math.fround(acc[n] / 255 + b[n]), r * N + n, e);
  }
  return { out, y };
}
