/**
 * One training run per output directory (Node only). `train --out DIR` holds DIR/train.lock while it runs,
 * so a second run writing the same directory refuses at once instead of silently replacing the first one's
 * checkpoint. The lock is created with O_EXCL and holds the owner's pid, host name and start time. A lock
 * left by a run that crashed (its pid is dead on this host) is taken over with a note; one from another host
 * cannot be checked and is only reported.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { OutputError } from '../errors.js';
import { describeWriteError, readRegularFile } from './files.js';

export const LOCK_FILE = 'train.lock';

/** `PATH\nSTART` of each lock this process holds: a lock with this pid but another start time is an earlier process's. */
const held = new Set<string>();

/** A lock this young that cannot be parsed is one being written right now, not a damaged one. */
const CREATING_MS = 10_000;

interface LockInfo {
  pid: number;
  hostname: string;
  started: string; // ISO time
}

export interface DirLock {
  path: string;
  /** Removes the lock if it is still this process's own; safe to call more than once. */
  release(): void;
}

type Held = { info: LockInfo } | { unreadable: string; ageMs: number } | null; // null: no lock (any more)

function readLock(path: string): Held {
  let text: string;
  try {
    text = new TextDecoder().decode(readRegularFile(path, { maxBytes: 4096, what: 'lock file', error: OutputError }));
  } catch (err) {
    if ((err as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT') return null;
    throw err;
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    if (Number.isInteger(info.pid) && info.pid > 0 && typeof info.hostname === 'string' && typeof info.started === 'string') return { info };
  } catch {
    // below
  }
  const mtime = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
  return mtime === undefined ? null : { unreadable: text.length === 0 ? 'empty' : 'not a lock this program wrote', ageMs: Date.now() - mtime };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

const sameLock = (a: LockInfo, b: LockInfo): boolean => a.pid === b.pid && a.hostname === b.hostname && a.started === b.started;
const describeHolder = (info: LockInfo): string => `pid ${info.pid} on ${info.hostname}, started ${info.started}`;

/** Creates the lock file with O_EXCL; false if one exists. */
function tryCreate(path: string, info: LockInfo): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new OutputError(`${path}: cannot create the lock file: ${describeWriteError(err)}`, { cause: err });
  }
  try {
    writeSync(fd, `${JSON.stringify(info)}\n`);
  } catch (err) {
    closeSync(fd);
    try {
      rmSync(path, { force: true });
    } catch {
      // the error below says why the directory cannot be written
    }
    throw new OutputError(`${path}: cannot write the lock file: ${describeWriteError(err)}`, { cause: err });
  }
  closeSync(fd);
  return true;
}

/**
 * Takes DIR/train.lock for this process, or throws an OutputError saying who holds it. `note` hears about a
 * stale lock taken over. The lock is released by `release()` and, as a backstop, when the process exits
 * (normally, by an error, or by process.exit after a signal); only a SIGKILL or a crash leaves it behind,
 * and the next run takes that one over.
 */
export function lockOutputDir(dir: string, note: (text: string) => void): DirLock {
  const path = join(dir, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, hostname: hostname(), started: new Date().toISOString() };
  const busy = (info: LockInfo): OutputError =>
    new OutputError(
      `${dir} is in use by another training run (${describeHolder(info)}); wait for it to finish or choose another --out ` +
        `(if no such run is going on, delete ${path})`,
    );
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(path, mine)) {
      let released = false;
      held.add(`${path}\n${mine.started}`);
      const release = (): void => {
        if (released) return;
        released = true;
        held.delete(`${path}\n${mine.started}`);
        process.off('exit', release);
        const now = readLockQuietly(path);
        if (now && 'info' in now && sameLock(now.info, mine)) rmSync(path, { force: true });
      };
      process.on('exit', release);
      return { path, release };
    }
    const found = readLock(path);
    if (found === null) continue; // released meanwhile: try again
    if ('unreadable' in found) {
      if (found.ageMs < CREATING_MS) throw new OutputError(`${dir} is in use by another training run that is just starting; wait for it to finish or choose another --out`);
      throw new OutputError(`${path}: a lock file that is ${found.unreadable}; if no training run is writing to ${dir}, delete it`);
    }
    const { info } = found;
    // Only a lock of this host can be checked. One with this process's pid that it does not hold is an earlier process's.
    const stale = info.hostname === mine.hostname && (info.pid === process.pid ? !held.has(`${path}\n${info.started}`) : !alive(info.pid));
    if (!stale) throw busy(info);
    // Move the stale lock aside and make sure what moved is that lock: another run may have taken it over
    // and locked anew in between, and its lock must not be deleted.
    const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      renameSync(path, aside);
    } catch {
      continue; // gone or replaced: look again
    }
    const moved = readLockQuietly(aside);
    if (moved && 'info' in moved && sameLock(moved.info, info)) {
      rmSync(aside, { force: true });
      note(`note: ${path} was left by a run that is no longer running (${describeHolder(info)}); taking it over`);
      continue;
    }
    // Someone else's fresh lock: put it back unless yet another run has locked meanwhile, then refuse.
    restore(aside, path);
    if (moved && 'info' in moved) throw busy(moved.info);
  }
  throw new OutputError(`${path}: cannot take the lock, other runs keep taking it; wait for them to finish or choose another --out`);
}

function readLockQuietly(path: string): Held {
  try {
    return readLock(path);
  } catch {
    return null;
  }
}

/** Puts `aside` back at `path` unless a lock exists there again (link fails then, atomically). */
function restore(aside: string, path: string): void {
  try {
    linkSync(aside, path);
  } catch {
    // another lock is in place by now (or links are not supported): leave that one
  }
  rmSync(aside, { force: true });
}
