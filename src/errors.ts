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
