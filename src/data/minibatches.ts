/**
 * CPU-side minibatches, d2l's data_iter / DataLoader(shuffle=True, drop_last=False), browser-safe.
 *
 * The order of an epoch depends only on (seed, epoch), never on what else drew random numbers, so the GPU
 * trainer (which uploads epochOrder's permutation and gathers on the device), the CPU reference and a
 * resumed run all visit the same samples in the same minibatches.
 */
import { DataError } from '../errors.js';
import { epochSeed, Rng } from '../random.js';
import { IMAGE_PIXELS } from './idx.js';

/** Sample index at each position of epoch `epoch`: [count] u32, a permutation of 0..count-1 (identity without shuffle). */
// Typed over ArrayBuffer (not ArrayBufferLike) so it can go straight to GPUQueue.writeBuffer.
export function epochOrder(count: number, seed: number, epoch: number, shuffle = true): Uint32Array<ArrayBuffer> {
  if (!shuffle) return Uint32Array.from({ length: count }, (_, i) => i);
  // permutation() allocates a fresh Uint32Array, so its buffer is an ArrayBuffer.
  return new Rng(epochSeed(seed, epoch)).permutation(count) as Uint32Array<ArrayBuffer>;
}

/** Pixels 0..255 to f32 0..1, the ToTensor() scaling d2l uses. */
export function normalizePixels(u8: Uint8Array): Float32Array<ArrayBuffer> {
  const out = new Float32Array(u8.length);
  for (let i = 0; i < u8.length; i++) out[i] = u8[i] / 255;
  return out;
}

export interface Minibatch {
  indices: Uint32Array<ArrayBuffer>; // [b] sample indices in the split
  X: Float32Array<ArrayBuffer>; // [b, 784] pixel / 255, row-major
  y: Uint32Array<ArrayBuffer>; // [b] class index
}

export interface ImagesLabels {
  images: Uint8Array; // [count, 784] u8
  labels: Uint8Array; // [count]
  count: number;
}

/**
 * Minibatches of `batchSize` samples in `order` (default: the split's own order); ceil(count / batchSize)
 * batches, the last one partial when batchSize does not divide count (drop_last=False).
 */
export function* minibatches(split: ImagesLabels, batchSize: number, order?: Uint32Array): Generator<Minibatch> {
  const { count } = split;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new DataError(`batch size must be a positive integer, got ${batchSize}`);
  if (split.images.length < count * IMAGE_PIXELS || split.labels.length < count) {
    throw new DataError(`split of ${count} samples has ${split.images.length} pixels and ${split.labels.length} labels`);
  }
  const ord = order ?? epochOrder(count, 0, 0, false);
  if (ord.length !== count) throw new DataError(`order has ${ord.length} entries for a split of ${count} samples`);

  for (let start = 0; start < count; start += batchSize) {
    const b = Math.min(batchSize, count - start);
    const indices = Uint32Array.from(ord.subarray(start, start + b));
    const X = new Float32Array(b * IMAGE_PIXELS);
    const y = new Uint32Array(b);
    for (let r = 0; r < b; r++) {
      const i = indices[r];
      // An out-of-range index would silently read undefined pixels (NaN) without this check.
      if (i >= count) throw new DataError(`order[${start + r}] = ${i} is outside the split of ${count} samples`);
      const src = split.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
      for (let p = 0; p < IMAGE_PIXELS; p++) X[r * IMAGE_PIXELS + p] = src[p] / 255;
      y[r] = split.labels[i];
    }
    yield { indices, X, y };
  }
}
