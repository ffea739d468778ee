/**
 * Typed errors. Each says what went wrong and what to do about it, so the CLI can print one line
 * (no stack trace unless --verbose) and pick an exit code by type.
 */
export class SoftmaxError extends Error {
  /** Process exit code the CLI uses for this kind of failure. */
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad command-line usage: unknown flag, non-number, out-of-range value. Exit code 2, like argparse. */
export class UsageError extends SoftmaxError {
  override readonly exitCode = 2;
}

/**
 * A library function was given an argument it cannot use: a wrong type, a value out of range, data that
 * disagree with their own count or shape or with the model. The message names the argument (as the caller
 * wrote it, e.g. `options.epochs`, `data.train.labels`) and says what to pass. A UsageError, so the CLI's exit
 * code (2) and any `instanceof UsageError` check cover it.
 */
export class ArgumentError extends UsageError {}

/**
 * A model option is unknown or out of range. Its message names each option as the library takes it,
 * `modelOptions.dropout` ({@link optionRef}); {@link renameOptions} turns those names into another caller's (the
 * CLI's `--dropout` flags, the page's fields) when it prints the message.
 */
export class ModelOptionError extends ArgumentError {}

/** How a model option is named in messages: `modelOptions.KEY`, as `fit()`'s caller wrote it. */
export const optionRef = (key: string): string => `modelOptions.${key}`;

/** `message` with every `modelOptions.KEY` replaced by `name(KEY)` (e.g. the CLI's `--kebab-case` flag). */
export function renameOptions(message: string, name: (key: string) => string): string {
  return message.replace(/\bmodelOptions\.([A-Za-z]\w*)/g, (_, key: string) => name(key));
}

/** A dataset file is missing, unreadable or malformed (names the file and the problem). */
export class DataError extends SoftmaxError {}

/** A download failed, was truncated or did not match its checksum. */
export class DownloadError extends SoftmaxError {}

/**
 * A file or directory the CLI writes cannot be written (no space, read-only, a directory in the way), or the
 * output directory is in use by another training run.
 */
export class OutputError extends SoftmaxError {}

/** A checkpoint is missing, of another version, truncated, or disagrees with the model. */
export class CheckpointError extends SoftmaxError {}

/** No WebGPU adapter/device, a lost device, a validation error or a resource limit. */
export class GpuError extends SoftmaxError {}

/** Training diverged (loss became NaN/Inf). */
export class DivergenceError extends SoftmaxError {}

/** What a value is, for "..., not X": `the string "2"`, `NaN`, `an Array`, `a Float32Array`, `undefined`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value === 'bigint' ? `${value}n` : value}`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an Array of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${(value as unknown as ArrayLike<unknown>).length ?? value.byteLength}`;
  if (value instanceof ArrayBuffer) return `an ArrayBuffer of ${value.byteLength} bytes`;
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/** Whether `value` is a plain object: not null, not an Array, not a typed array. */
export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);

/** `value` as an object (not an Array, not a typed array), or an ArgumentError naming `name`. */
export function checkObject(name: string, value: unknown, what = 'an object'): Record<string, unknown> {
  if (!isRecord(value)) throw new ArgumentError(`${name} must be ${what}, not ${describeValue(value)}`);
  return value;
}

/** The keys of `value` not among `known` (an option the function does not read is a misspelling, not a wish). */
export function checkKeys(name: string, value: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(value).filter((k) => !known.includes(k) && value[k] !== undefined);
  if (unknown.length > 0) throw new ArgumentError(`${name} has no field ${unknown.join(', ')} (it takes ${known.join(', ')})`);
}
