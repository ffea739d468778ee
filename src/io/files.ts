/**
 * Every file the CLI reads or writes goes through this module (Node only).
 *
 * Reads: `readRegularFile` opens with O_NONBLOCK and checks the opened descriptor (fstat) before reading a
 * byte, so a FIFO, a socket, /dev/zero or a directory is refused at once instead of blocking forever or
 * growing without end, and it reads at most the size its format allows.
 *
 * Writes: `writeFileAtomic` (temp file, fsync, rename, directory fsync) and `checkOutput` (a probe before any
 * work is done) turn each file-system error a user can meet (no space, read-only, a directory or a file in
 * the way) into one OutputError line naming the file and what to do. Both go through `outputTarget`, the one
 * check of what stands at an output path: nothing, or a regular file (through a symbolic link is fine); a
 * device, FIFO or socket is refused and left as it is (a rename would put a regular file in its place: as
 * root, `--out /dev/null` once replaced the system's /dev/null).
 */
import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { OutputError, SoftmaxError } from '../errors.js';

type ErrorClass = new (message: string, options?: { cause?: unknown }) => SoftmaxError;

const errorCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

/** Why a file-system call failed, in a few words: the errno code first, then Node's text without it. */
export function fsReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ? `${e.code}: ${e.message.replace(/^\w+: /, '')}` : String(e?.message ?? err);
}

// ---------------------------------------------------------------------------------------------------------
// Reading

export interface ReadSpec {
  /** Largest file the format allows; a larger one is refused before any of it is read. */
  maxBytes: number;
  /** What the file should be, for messages: "checkpoint" -> "larger than any checkpoint". */
  what: string;
  /** The typed error thrown, `PATH: problem`. */
  error: ErrorClass;
  /** Problem said for a missing file (default: `cannot read (ENOENT: ...)`). */
  missing?: string;
  /** Said after a "not a regular file" problem: what to pass instead. */
  hint?: string;
}

/** "a FIFO (named pipe)", "a character device"...: what a non-regular file is, for messages. */
function fileKind(st: nodeFs.Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/**
 * Reads a whole regular file of at most `spec.maxBytes`. Anything else (a directory, FIFO, socket, device)
 * is refused with one line before a byte is read: the descriptor is opened non-blocking, so even a FIFO
 * without a writer cannot stall the open, and checked with fstat, so the check and the read see one file.
 * Reads stop at the size fstat gave, so a file growing meanwhile cannot make the read unbounded.
 */
export function readRegularFile(path: string, spec: ReadSpec): Uint8Array {
  const fail = (problem: string, cause?: unknown): SoftmaxError => new spec.error(`${path}: ${problem}`, { cause });
  const hint = spec.hint ? `; ${spec.hint}` : '';
  const { O_RDONLY, O_NONBLOCK, O_NOCTTY } = nodeFs.constants;
  let fd: number;
  try {
    fd = nodeFs.openSync(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  } catch (err) {
    if (errorCode(err) === 'ENOENT' && spec.missing) throw fail(spec.missing, err);
    // A socket cannot be opened at all (ENXIO): say what it is rather than the errno.
    const st = errorCode(err) === 'ENXIO' ? nodeFs.statSync(path, { throwIfNoEntry: false }) : undefined;
    if (st && !st.isFile()) throw fail(`is ${fileKind(st)}, not a regular file${hint}`, err);
    throw fail(`cannot read (${fsReason(err)})`, err);
  }
  try {
    const st = nodeFs.fstatSync(fd);
    if (st.isDirectory()) throw fail(`is a directory, not a file${hint}`);
    if (!st.isFile()) throw fail(`is ${fileKind(st)}, not a regular file${hint}`);
    if (st.size > spec.maxBytes) throw fail(`${st.size} bytes is larger than any ${spec.what} (limit ${spec.maxBytes}); wrong path?`);
    const bytes = new Uint8Array(st.size);
    let filled = 0;
    while (filled < bytes.length) {
      const n = nodeFs.readSync(fd, bytes, filled, bytes.length - filled, null);
      if (n === 0) break; // shrank meanwhile: the decoder reports what is missing
      filled += n;
    }
    return filled === bytes.length ? bytes : bytes.subarray(0, filled);
  } catch (err) {
    if (err instanceof SoftmaxError) throw err;
    throw fail(`cannot read (${fsReason(err)})`, err);
  } finally {
    nodeFs.closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Writing

/** The file-system calls the writers make; tests pass their own to provoke ENOSPC, EROFS and the like. */
export type WriteFs = Pick<
  typeof nodeFs,
  'mkdirSync' | 'statSync' | 'lstatSync' | 'realpathSync' | 'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'rmSync'
>;

// What each errno means to someone writing a file, and what to do about it.
const WRITE_PROBLEMS: Record<string, [reason: string, advice: string]> = {
  ENOSPC: ['no space left on the device', 'free some space or write elsewhere'],
  EDQUOT: ['disk quota exceeded', 'free some space or write elsewhere'],
  EROFS: ['read-only file system', 'write elsewhere'],
  EACCES: ['permission denied', 'write elsewhere or change the permissions'],
  EPERM: ['operation not permitted', 'write elsewhere or change the permissions'],
  EISDIR: ['is a directory', 'choose another name or remove the directory'],
  ENOTDIR: ['a file is in the way (part of the path is not a directory)', 'choose another path'],
  EEXIST: ['a file is in the way (part of the path is not a directory)', 'choose another path'],
  ENOENT: ['the directory cannot be created there', 'choose another path'],
  ENAMETOOLONG: ['the name is too long', 'choose a shorter path'],
  EIO: ['input/output error', 'check the disk'],
};

/** One line for a failed write: "no space left on the device (ENOSPC); free some space or write elsewhere". */
export function describeWriteError(err: unknown): string {
  const code = errorCode(err);
  const known = code ? WRITE_PROBLEMS[code] : undefined;
  return known ? `${known[0]} (${code}); ${known[1]}` : fsReason(err);
}

/**
 * mkdir -p, one level at a time. (Node 20's recursive mkdirSync spins forever on a path under /proc; this
 * fails with the errno instead.)
 */
function makeDirectories(dir: string, io: WriteFs): void {
  try {
    io.mkdirSync(dir);
    return;
  } catch (err) {
    const code = errorCode(err);
    if (code === 'EEXIST' && io.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw err;
  }
  makeDirectories(dirname(dir), io);
  try {
    io.mkdirSync(dir);
  } catch (err) {
    if (!(errorCode(err) === 'EEXIST' && io.statSync(dir, { throwIfNoEntry: false })?.isDirectory())) throw err;
  }
}

/** `f()`, or undefined where it throws (a stat of a path that is not there, or runs through a file). */
function quietly<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** Removes a temp file if it is there; a failure here must not hide the error being reported. */
function removeQuietly(io: WriteFs, path: string): void {
  try {
    io.rmSync(path, { force: true });
  } catch {
    // nothing was created, or the file system refuses even this: the first error says why
  }
}

/** Creates `dir` and its parents if needed; an OutputError `DIR: cannot create the directory: ...` otherwise. */
export function ensureDirectory(dir: string, io: WriteFs = nodeFs): void {
  try {
    makeDirectories(dir, io);
  } catch (err) {
    throw new OutputError(`${dir}: cannot create the directory: ${describeWriteError(err)}`, { cause: err });
  }
}

/** Longest file name most file systems take (NAME_MAX, in bytes). */
const NAME_MAX = 255;

/**
 * `NAME.tmp-PID-RANDOM` beside `path`, with NAME cut so the whole stays within NAME_MAX bytes: a legal
 * 250-byte output name must not fail with ENAMETOOLONG because of the suffix.
 */
function tempName(path: string): string {
  const suffix = `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  let name = basename(path);
  while (Buffer.byteLength(name) + suffix.length > NAME_MAX) name = name.slice(0, -1);
  return join(dirname(path), `${name}${suffix}`);
}

/**
 * The path to write for output `path`, after the one check every writer makes (`what` names the file in the
 * message): `path` itself where nothing is there or a regular file is; the file a symbolic link points to,
 * so the link stays a link. Anything else (a directory, a device such as /dev/null, a FIFO, a socket, a link
 * to one of them or to nothing) is one OutputError line, and nothing at the path is touched: the writers
 * only ever rename onto a path this function has passed.
 */
export function outputTarget(path: string, what = 'file', io: WriteFs = nodeFs): string {
  const refuse = (problem: string, err?: unknown): OutputError => new OutputError(`${path}: cannot write the ${what}: ${problem}`, { cause: err });
  const st = quietly(() => io.lstatSync(path, { throwIfNoEntry: false }));
  if (!st) return path; // absent, or a path through a file: the write itself says why not
  if (st.isFile()) return path;
  if (st.isDirectory()) throw refuse(describeWriteError(Object.assign(new Error('is a directory'), { code: 'EISDIR' })));
  if (st.isSymbolicLink()) {
    const target = quietly(() => io.statSync(path, { throwIfNoEntry: false }));
    if (target?.isFile()) return io.realpathSync(path);
    if (target?.isDirectory()) throw refuse(describeWriteError(Object.assign(new Error('is a directory'), { code: 'EISDIR' })));
    throw refuse(`it is a symbolic link to ${target ? fileKind(target) : 'nothing'}, not to a regular file; choose another path (it is left as it is)`);
  }
  throw refuse(`${fileKind(st)} is there, not a regular file; choose another path (it is left as it is)`);
}

function writeAll(io: WriteFs, fd: number, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length; ) off += io.writeSync(fd, bytes, off, bytes.length - off);
}

/**
 * Writes bytes so that `path` holds either its old content or all of the new one, even across a crash: a
 * temp file beside it, fsync, rename, then fsync of the directory. Creates the directory if needed. A failure
 * removes the temp file and is an OutputError: `PATH: cannot write the WHAT: REASON (CODE); ADVICE`.
 */
export function writeFileAtomic(output: string, bytes: Uint8Array, what = 'file', io: WriteFs = nodeFs): void {
  const path = outputTarget(output, what, io);
  const existed = quietly(() => io.lstatSync(path)?.isFile()) ?? false;
  const fail = (err: unknown): OutputError =>
    new OutputError(`${output}: cannot write the ${what}: ${describeWriteError(err)}${existed ? `; the previous ${what} is unchanged` : ''}`, { cause: err });
  try {
    makeDirectories(dirname(path), io);
  } catch (err) {
    throw fail(err);
  }
  const temp = tempName(path);
  try {
    const fd = io.openSync(temp, 'wx', 0o644);
    try {
      writeAll(io, fd, bytes);
      io.fsyncSync(fd);
    } finally {
      io.closeSync(fd);
    }
    io.renameSync(temp, path);
  } catch (err) {
    removeQuietly(io, temp);
    throw fail(err);
  }
  // The rename itself is durable once the directory entry is on disk.
  try {
    const dir = io.openSync(dirname(path), 'r');
    try {
      io.fsyncSync(dir);
    } finally {
      io.closeSync(dir);
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}

/**
 * Checks before any work that `path` can be written: creates its directory, writes and removes a probe file
 * there (which finds a read-only or full file system, a permission problem, a file in the way), and refuses
 * anything but a regular file standing where the file goes (`outputTarget`). Throws the OutputError that
 * writing it later would throw.
 */
export function checkOutput(output: string, what = 'file', io: WriteFs = nodeFs): void {
  const path = outputTarget(output, what, io);
  const dir = dirname(path);
  const fail = (err: unknown): OutputError => new OutputError(`${output}: cannot write the ${what}: ${describeWriteError(err)}`, { cause: err });
  try {
    makeDirectories(dir, io);
  } catch (err) {
    throw fail(err);
  }
  const probe = join(dir, `.webgpu-softmax-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const fd = io.openSync(probe, 'wx', 0o644);
    try {
      writeAll(io, fd, Uint8Array.of(0));
    } finally {
      io.closeSync(fd);
    }
  } catch (err) {
    throw fail(err);
  } finally {
    removeQuietly(io, probe);
  }
}
