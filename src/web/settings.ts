/**
 * The hyper-parameter form: reads it into the training loop's options and says, field by field, what is
 * wrong, with the limits the CLI's flags have (TRAINING_LIMITS).
 */
import { TRAINING_LIMITS } from '../train/limits.js';
import type { TrainOptions } from '../train/loop.js';

export type Settings = Pick<TrainOptions, 'epochs' | 'lr' | 'batchSize' | 'seed'> & { model: string; samples: number };

export type Parsed = { ok: true; settings: Settings } | { ok: false; problems: string[] };

function integer(form: HTMLFormElement, name: string, label: string, min: number, max: number, problems: string[]): number {
  const input = form.elements.namedItem(name) as HTMLInputElement;
  const value = Number(input.value);
  const bad = input.value.trim() === '' || !Number.isInteger(value) || value < min || value > max;
  input.toggleAttribute('aria-invalid', bad);
  if (bad) problems.push(`${label} must be a whole number from ${min} to ${max}`);
  return value;
}

/** Puts TRAINING_LIMITS on the form's inputs, so the browser's own spinners and hints agree with readSettings. */
export function applyLimits(form: HTMLFormElement): void {
  for (const [name, { min, max }] of Object.entries(TRAINING_LIMITS)) {
    const input = form.elements.namedItem(name) as HTMLInputElement;
    input.min = String(min);
    if (name !== 'batchSize') input.max = String(max); // the batch's upper bound is the samples loaded, set by validate()
  }
}

/** `available`: training samples loaded (the largest allowed "Training samples"). */
export function readSettings(form: HTMLFormElement, available: number): Parsed {
  const problems: string[] = [];
  const model = (form.elements.namedItem('model') as RadioNodeList).value;
  const epochs = integer(form, 'epochs', 'Epochs', TRAINING_LIMITS.epochs.min, TRAINING_LIMITS.epochs.max, problems);
  const lrInput = form.elements.namedItem('lr') as HTMLInputElement;
  const lr = Number(lrInput.value);
  const badLr = lrInput.value.trim() === '' || !(lr > 0) || !Number.isFinite(lr);
  lrInput.toggleAttribute('aria-invalid', badLr);
  if (badLr) problems.push('Learning rate must be a positive number');
  const samples = integer(form, 'limit', 'Training samples', 1, available, problems);
  const batchSize = integer(form, 'batchSize', 'Batch size', TRAINING_LIMITS.batchSize.min, Math.max(1, Math.min(TRAINING_LIMITS.batchSize.max, samples || available)), problems);
  const seed = integer(form, 'seed', 'Seed', TRAINING_LIMITS.seed.min, TRAINING_LIMITS.seed.max, problems);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, settings: { model, epochs, lr, batchSize, seed, samples } };
}

export const MODEL_HINTS: Record<string, string> = {
  scratch: 'd2l 3.6: hand-written softmax, cross-entropy and gradients.',
  concise: 'd2l 3.7: Linear + CrossEntropyLoss + SGD layers.',
};
