/** Node-side checkpoint files: atomic writes (temp file + fsync + rename + directory fsync) and checked reads. */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CheckpointError } from '../errors.js';
import { CHECKPOINT_FILE, type Checkpoint, decodeCheckpoint, encodeCheckpoint } from './checkpoint.js';

/** Writes bytes so that `path` holds either its old content or all of the new one, even across a crash. */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    const fd = openSync(temp, 'w', 0o644);
    try {
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  // The rename itself is durable once the directory entry is on disk.
  try {
    const dir = openSync(dirname(path), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}

/** `path` may be a checkpoint file or a directory holding model.safetensors. */
export function resolveCheckpointPath(path: string): string {
  if (existsSync(path) && statSync(path).isDirectory()) return join(path, CHECKPOINT_FILE);
  return path;
}

/** Why a file-system call failed, in a few words (the errno code first). */
function why(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message.replace(/^\w+: /, '')}` : String(e.message ?? err);
}

/** Creates the checkpoint directory up front, so a bad --out fails before training rather than after an epoch. */
export function prepareCheckpointDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new CheckpointError(`${dir}: cannot create the checkpoint directory (${why(err)})`, { cause: err });
  }
}

export function saveCheckpoint(dir: string, checkpoint: Checkpoint): string {
  const path = join(dir, CHECKPOINT_FILE);
  try {
    writeFileAtomic(path, encodeCheckpoint(checkpoint));
  } catch (err) {
    throw new CheckpointError(`${path}: cannot write the checkpoint (${why(err)}); the previous one, if any, is unchanged`, { cause: err });
  }
  return path;
}

export function loadCheckpoint(path: string): Checkpoint & { path: string } {
  const file = resolveCheckpointPath(path);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file (train with --out DIR to write one)' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new CheckpointError(`${file}: ${why}`);
  }
  return { ...decodeCheckpoint(bytes, file), path: file };
}
