/**
 * CPU twin of shaders/accumulate_gradient.wgsl: a step's gradient from its chunks' gradients, as the trainer
 * records it (train/gradient_chunks.ts): sum = g0, sum += g1 ... g(n-2), then g(n-1) += sum. With one chunk, g0.
 */
export function accumulateGradient(chunkGrads: readonly Float32Array[]): Float32Array {
  const last = Float32Array.from(chunkGrads[chunkGrads.length - 1]);
  if (chunkGrads.length === 1) return last;
  // The sum in f32, in the GPU's order: the first chunks' sum, then the last chunk's gradient plus it.
  const sum = Float32Array.from(chunkGrads[0]);
  for (let c = 1; c < chunkGrads.length - 1; c++) for (let i = 0; i < sum.length; i++) sum[i] += chunkGrads[c][i];
  for (let i = 0; i < last.length; i++) last[i] += sum[i];
  return last;
}
