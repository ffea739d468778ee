/**
 * The hyper-parameter form: reads it into the training loop's options and says, field by field, what is
 * wrong, with the same limits as the CLI's flags.
 */
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

/** `available`: training samples loaded (the largest allowed "Training samples"). */
export function readSettings(form: HTMLFormElement, available: number): Parsed {
  const problems: string[] = [];
  const model = (form.elements.namedItem('model') as RadioNodeList).value;
  const epochs = integer(form, 'epochs', 'Epochs', 1, 1000, problems);
  const lrInput = form.elements.namedItem('lr') as HTMLInputElement;
  const lr = Number(lrInput.value);
  const badLr = lrInput.value.trim() === '' || !(lr > 0) || !Number.isFinite(lr);
  lrInput.toggleAttribute('aria-invalid', badLr);
  if (badLr) problems.push('Learning rate must be a positive number');
  const samples = integer(form, 'limit', 'Training samples', 1, available, problems);
  const batchSize = integer(form, 'batchSize', 'Batch size', 1, Math.max(1, Math.min(65536, samples || available)), problems);
  const seed = integer(form, 'seed', 'Seed', 0, 4294967295, problems);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, settings: { model, epochs, lr, batchSize, seed, samples } };
}

export const MODEL_HINTS: Record<string, string> = {
  scratch: 'd2l 3.6: hand-written softmax, cross-entropy and gradients.',
  concise: 'd2l 3.7: Linear + CrossEntropyLoss + SGD layers.',
};
