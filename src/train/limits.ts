/**
 * The ranges of the training settings, one table for the CLI's flags and the page's form, so both accept
 * and refuse the same values.
 */
export const TRAINING_LIMITS = {
  epochs: { min: 1, max: 100_000 },
  batchSize: { min: 1, max: 65_536 },
  seed: { min: 0, max: 4_294_967_295 }, // a u32: the generator's seed
} as const;
