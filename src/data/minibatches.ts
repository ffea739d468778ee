/**
 * The order in which an epoch visits the samples (d2l's DataLoader(shuffle=True)), browser-safe. Minibatches
 * are consecutive runs of this order (drop_last=False), gathered on the GPU (gather_minibatch and the fused
 * kernels) and by their CPU twin (src/reference/gather_minibatch.ts).
 *
 * The order of an epoch depends only on (seed, epoch), never on what else drew random numbers, so the GPU
 * trainer (which uploads epochOrder's permutation and gathers on the device), the CPU reference and a
 * resumed run all visit the same samples in the same minibatches.
 */
import { epochSeed, Rng } from '../random.js';

/** Sample index at each position of epoch `epoch`: [count] u32, a permutation of 0..count-1 (identity without shuffle). */
// Typed over ArrayBuffer (not ArrayBufferLike) so it can go straight to GPUQueue.writeBuffer.
export function epochOrder(count: number, seed: number, epoch: number, shuffle = true): Uint32Array<ArrayBuffer> {
  if (!shuffle) return Uint32Array.from({ length: count }, (_, i) => i);
  // permutation() allocates a fresh Uint32Array, so its buffer is an ArrayBuffer.
  return new Rng(epochSeed(seed, epoch)).permutation(count) as Uint32Array<ArrayBuffer>;
}
