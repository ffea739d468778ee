/** Node-side checkpoint files: atomic writes and bounded reads of regular files only (both through src/io/files.ts). */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, CheckpointError, SoftmaxError } from '../errors.js';
import { readRegularFile, writeFileAtomic } from '../io/files.js';
import { CHECKPOINT_FILE, type Checkpoint, decodeCheckpoint, encodeCheckpoint } from './checkpoint.js';

/**
 * Largest checkpoint file read. Today's model is 31 KB of tensors, and the header's per-epoch history is about
 * 150 bytes an epoch (15 MB at the 100,000 epochs train allows); 512 MiB leaves room for far larger models
 * while a wrong path (a disk image, /dev/zero) is refused before it is read.
 */
export const MAX_CHECKPOINT_BYTES = 512 * 2 ** 20;

/** `path` may be a checkpoint file or a directory holding model.safetensors. */
export function resolveCheckpointPath(path: string): string {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ? join(path, CHECKPOINT_FILE) : path;
}

/**
 * Writes DIR/model.safetensors atomically; a failure is an OutputError that says the previous one is unchanged.
 * What it would write is read back first: a checkpoint `loadCheckpoint` would refuse (made by hand, its metadata
 * incomplete) is an ArgumentError naming what is wrong, and nothing is written.
 * @param dir the folder (made if missing)
 * @param checkpoint what `fit()`/`train()` returned (`result.checkpoint`) or a hook was given
 * @returns the file's path
 */
export function saveCheckpoint(dir: string, checkpoint: Checkpoint): string {
  if (typeof dir !== 'string' || dir === '') throw new ArgumentError(`dir must be the folder to write ${CHECKPOINT_FILE} into, not ${dir === '' ? 'an empty string' : typeof dir}`);
  if (typeof checkpoint !== 'object' || checkpoint === null || typeof checkpoint.meta !== 'object' || checkpoint.meta === null || typeof checkpoint.params !== 'object' || checkpoint.params === null) {
    throw new ArgumentError(`checkpoint must be { params, meta } as fit() or train() return it (result.checkpoint), not ${checkpoint === null ? 'null' : typeof checkpoint}`);
  }
  const missing = ['model', 'epoch', 'config', 'history', 'test'].filter((key) => (checkpoint.meta as unknown as Record<string, unknown>)[key] === undefined);
  if (missing.length > 0) throw new ArgumentError(`checkpoint.meta lacks ${missing.join(', ')}: pass the checkpoint fit() or train() returned (result.checkpoint), or one decodeCheckpoint() read`);
  if (!Array.isArray(checkpoint.meta.history)) throw new ArgumentError('checkpoint.meta.history must be an array of epoch records ([] before the first epoch)');
  const path = join(dir, CHECKPOINT_FILE);
  let bytes: Uint8Array;
  try {
    bytes = encodeCheckpoint(checkpoint);
    decodeCheckpoint(bytes, 'checkpoint');
  } catch (err) {
    if (!(err instanceof SoftmaxError) && !(err instanceof TypeError)) throw err;
    const why = err.message.replace(/^checkpoint: /, '');
    throw new ArgumentError(`checkpoint would not load back (${why}): pass the checkpoint fit() or train() returned, or one decodeCheckpoint() read; nothing was written to ${path}`, { cause: err });
  }
  writeFileAtomic(path, bytes, 'checkpoint');
  return path;
}

/**
 * Reads and checks a checkpoint file: a CheckpointError names the file and what is wrong with it.
 * @param path a checkpoint file, or the run directory holding model.safetensors
 * @returns the checkpoint, and the file it was read from as `path`
 */
export function loadCheckpoint(path: string): Checkpoint & {
  /** The file read. */
  path: string;
} {
  const file = resolveCheckpointPath(path);
  const bytes = readRegularFile(file, {
    maxBytes: MAX_CHECKPOINT_BYTES,
    what: 'checkpoint',
    error: CheckpointError,
    missing: 'no such file (train with --out DIR to write one)',
    hint: 'pass a checkpoint file or the directory train --out wrote',
  });
  return { ...decodeCheckpoint(bytes, file), path: file };
}
