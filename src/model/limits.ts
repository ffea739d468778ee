/**
 * The ranges of the training settings, in one place for every reader of them: the CLI's flags, the page's form,
 * the library's options and the checkpoint reader (a checkpoint's metadata must hold values the flags could have
 * given). No Node APIs.
 */
export const TRAINING_LIMITS = {
  epochs: { min: 1, max: 100_000 },
  batchSize: { min: 1, max: 65_536 },
  seed: { min: 0, max: 4_294_967_295 }, // a u32: the generator's seed
} as const;

/** Smallest normal f32 (2^-126): below it a GPU may flush a value to 0 (WGSL allows it), and below 1.4e-45 it is 0. */
export const F32_MIN_NORMAL = 2 ** -126;
/** Largest finite f32, about 3.4e38: past it a value becomes Infinity in the GPU's numbers. */
export const F32_MAX = (2 - 2 ** -23) * 2 ** 127;

/**
 * Why a real-valued setting (learning rate, weight decay, momentum...) cannot reach the GPU as itself, or null:
 * every such setting goes to the shaders as an f32, where 1e-50 is 0 (the weights would never change) and 1e39
 * is Infinity. Zero itself is a value, not a vanished one.
 */
export function f32Problem(value: number): string | null {
  if (!Number.isFinite(value)) return `${value} is not a finite number`;
  const size = Math.abs(value);
  if (size !== 0 && size < F32_MIN_NORMAL) return `${value} is 0 in the GPU's 32-bit floats (the smallest they hold reliably is 1.2e-38)`;
  if (!Number.isFinite(Math.fround(value))) return `${value} is Infinity in the GPU's 32-bit floats (the largest they hold is 3.4e38)`;
  return null;
}
