/** Node-side checkpoint files: atomic writes and bounded reads of regular files only (both through src/io/files.ts). */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from '../errors.js';
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

/** Writes DIR/model.safetensors atomically; a failure is an OutputError that says the previous one is unchanged. */
export function saveCheckpoint(dir: string, checkpoint: Checkpoint): string {
  const path = join(dir, CHECKPOINT_FILE);
  writeFileAtomic(path, encodeCheckpoint(checkpoint), 'checkpoint');
  return path;
}

export function loadCheckpoint(path: string): Checkpoint & { path: string } {
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
