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
