/**
 * Fashion-MNIST from the file system, and its download (Node only).
 *
 * Search order, like torchvision's `root`: an explicit directory (`--data DIR`) is the only place looked
 * at; otherwise $FASHION_MNIST_DIR, then Debian's dataset-fashion-mnist, then ./data/fashion-mnist. In each
 * directory a file may be stored as NAME or NAME.gz.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { DataError, DownloadError } from '../errors.js';
import {
  decodeFashionMnistFiles,
  FASHION_MNIST_DIGESTS,
  FASHION_MNIST_FILES,
  FASHION_MNIST_KEYS,
  MAX_FILE_BYTES,
  type FashionMnist,
  type FashionMnistFileKey,
  type FileDigest,
} from './dataset.js';
import { isGzip } from './idx.js';

export const SYSTEM_DATA_DIR = '/usr/share/datasets/fashion-mnist';
export const LOCAL_DATA_DIR = './data/fashion-mnist';
export const DEFAULT_BASE_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';

export interface DataProgress {
  phase: 'load' | 'present' | 'fetch' | 'bytes' | 'retry' | 'verified';
  file: string;
  received?: number; // bytes so far (phase 'bytes')
  total?: number; // Content-Length when the server sent one
  attempt?: number; // 1-based (phases 'fetch' and 'retry')
  message: string;
}
export type OnProgress = (event: DataProgress) => void;

const gunzipAsync = promisify(zlib.gunzip);

// Node Buffers are Uint8Arrays with extra methods; hand out plain views so callers (and deep equality
// in tests) see one type whichever way a file was read.
const plain = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** zlib gunzip with the same output cap as the input cap, so a gzip bomb fails with an error instead of OOM. */
export async function gunzipNode(bytes: Uint8Array): Promise<Uint8Array> {
  return plain(await gunzipAsync(bytes, { maxOutputLength: MAX_FILE_BYTES }));
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const errorCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;
const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Reads one dataset file whole. Size is checked on the open handle (not a separate stat) so the checks
 * and the read see the same file; over-size files are refused before any of their bytes are read.
 */
export async function readDataFile(file: string): Promise<Uint8Array> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(file, 'r');
    const st = await fh.stat();
    if (st.isDirectory()) throw new DataError(`${file}: is a directory, not a file`);
    if (!st.isFile()) throw new DataError(`${file}: not a regular file`);
    if (st.size === 0) throw new DataError(`${file}: empty file`);
    if (st.size > MAX_FILE_BYTES) {
      throw new DataError(`${file}: ${st.size} bytes is larger than any Fashion-MNIST file (limit ${MAX_FILE_BYTES}); wrong path?`);
    }
    const bytes = await fh.readFile();
    if (bytes.length === 0) throw new DataError(`${file}: empty file`);
    return plain(bytes);
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`${file}: cannot read (${errorText(err)})`, { cause: err });
  } finally {
    await fh?.close();
  }
}

interface Located {
  found: Partial<Record<FashionMnistFileKey, string>>;
  missing: string[];
}

/** Which of the four files `dir` holds. Prefers NAME.gz, the form a download writes, over NAME. */
async function locate(dir: string): Promise<Located> {
  const found: Partial<Record<FashionMnistFileKey, string>> = {};
  const missing: string[] = [];
  for (const key of FASHION_MNIST_KEYS) {
    const name = FASHION_MNIST_FILES[key];
    for (const candidate of [`${name}.gz`, name]) {
      const file = path.join(dir, candidate);
      try {
        await fs.stat(file);
        found[key] = file;
        break;
      } catch (err) {
        const code = errorCode(err);
        if (code === 'ENOENT' || code === 'ENOTDIR') continue;
        throw new DataError(`${file}: cannot access (${errorText(err)})`, { cause: err });
      }
    }
    if (found[key] === undefined) missing.push(name);
  }
  return { found, missing };
}

async function loadDir(dir: string, found: Record<FashionMnistFileKey, string>, onProgress?: OnProgress): Promise<FashionMnist> {
  onProgress?.({ phase: 'load', file: dir, message: `loading Fashion-MNIST from ${dir}` });
  const bytes = {} as Record<FashionMnistFileKey, Uint8Array>;
  for (const key of FASHION_MNIST_KEYS) bytes[key] = await readDataFile(found[key]);
  return await decodeFashionMnistFiles(bytes, gunzipNode, { names: found, source: dir });
}

const missingMessage = (dir: string, missing: string[]): string =>
  `${dir}: Fashion-MNIST files missing: ${missing.join(', ')} (each as NAME or NAME.gz)`;

export interface LoadOptions {
  /** Explicit directory (`--data DIR`): the only place looked at. */
  root?: string;
  /** Download into root (or $FASHION_MNIST_DIR, or ./data/fashion-mnist) when the files are not found. */
  download?: boolean;
  onProgress?: OnProgress;
  /** Environment to read FASHION_MNIST_DIR from (tests pass their own). */
  env?: Record<string, string | undefined>;
  /** Directories searched after $FASHION_MNIST_DIR; default Debian's then ./data/fashion-mnist. */
  searchDirs?: string[];
  /** Passed to downloadFashionMnist when `download` is set. */
  downloadOptions?: Omit<DownloadOptions, 'dir' | 'onProgress'>;
}

export async function loadFashionMnist(opts: LoadOptions = {}): Promise<FashionMnist> {
  const env = opts.env ?? process.env;
  const envDir = env.FASHION_MNIST_DIR || undefined;
  const download = async (dir: string): Promise<FashionMnist> => {
    await downloadFashionMnist({ ...opts.downloadOptions, dir, onProgress: opts.onProgress });
    const { found, missing } = await locate(dir);
    if (missing.length > 0) throw new DataError(missingMessage(dir, missing) + ' after download');
    return await loadDir(dir, found as Record<FashionMnistFileKey, string>, opts.onProgress);
  };

  if (opts.root !== undefined) {
    const { found, missing } = await locate(opts.root);
    if (missing.length === 0) return await loadDir(opts.root, found as Record<FashionMnistFileKey, string>, opts.onProgress);
    if (opts.download) return await download(opts.root);
    throw new DataError(missingMessage(opts.root, missing));
  }

  const dirs = [...(envDir ? [envDir] : []), ...(opts.searchDirs ?? [SYSTEM_DATA_DIR, LOCAL_DATA_DIR])];
  for (const dir of dirs) {
    const { found, missing } = await locate(dir);
    if (missing.length === 0) return await loadDir(dir, found as Record<FashionMnistFileKey, string>, opts.onProgress);
    // A directory holding some of the files is a broken copy: say so rather than silently train on another one.
    if (missing.length < FASHION_MNIST_KEYS.length) throw new DataError(missingMessage(dir, missing));
  }
  if (opts.download) return await download(envDir ?? LOCAL_DATA_DIR);
  throw new DataError(
    `Fashion-MNIST not found (looked in ${dirs.join(', ')}): pass --data DIR, set FASHION_MNIST_DIR, ` +
      'install dataset-fashion-mnist (apt), or run `webgpu-softmax data download`',
  );
}

// ---------------------------------------------------------------------------------------------------------
// Download

export interface DownloadOptions {
  dir?: string;
  baseUrl?: string;
  /** Attempts after the first one, for network errors, HTTP errors, truncation and stalls. */
  retries?: number;
  /** Abort an attempt when no bytes arrive for this long (also while waiting for the headers). */
  timeoutMs?: number;
  retryDelayMs?: number;
  onProgress?: OnProgress;
  fetchImpl?: typeof fetch;
  /** Digests of the decompressed files; tests inject their own to serve small generated files. */
  expected?: Record<FashionMnistFileKey, FileDigest>;
}

export interface DownloadResult {
  dir: string;
  files: Record<FashionMnistFileKey, { path: string; action: 'present' | 'downloaded' }>;
}

/** A failure worth another attempt (network, HTTP status, truncation, stall), as opposed to wrong content. */
class TransientError extends Error {}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

type Verdict = { ok: true; gzip: boolean } | { ok: false; problem: string };

/** Decompresses (if gzip) and checks size and SHA-256 against `digest`. */
async function verify(bytes: Uint8Array, digest: FileDigest): Promise<Verdict> {
  const gzip = isGzip(bytes);
  let raw = bytes;
  if (gzip) {
    try {
      raw = await gunzipNode(bytes);
    } catch (err) {
      return { ok: false, problem: `not valid gzip data (${errorText(err)})` };
    }
  }
  const actual = sha256Hex(raw);
  if (actual === digest.sha256 && raw.length === digest.bytes) return { ok: true, gzip };
  const got = `SHA-256 ${actual} (${raw.length} bytes), expected ${digest.sha256} (${digest.bytes} bytes)`;
  return { ok: false, problem: gzip ? `decompressed file has ${got}` : `not gzip data, nor the expected raw file: ${got}` };
}

/** Path of an already present copy (NAME.gz or NAME) that verifies, or null. */
async function verifiedCopy(dir: string, name: string, digest: FileDigest): Promise<string | null> {
  for (const candidate of [`${name}.gz`, name]) {
    const file = path.join(dir, candidate);
    let bytes: Uint8Array;
    try {
      bytes = await readDataFile(file);
    } catch {
      continue; // absent or unreadable: a download will replace it
    }
    const verdict = await verify(bytes, digest);
    // A NAME.gz holding raw bytes would verify but mislead: only accept each name in its own form.
    if (verdict.ok && verdict.gzip === candidate.endsWith('.gz')) return file;
  }
  return null;
}

interface FetchContext {
  url: string;
  file: string;
  timeoutMs: number;
  fetchImpl: typeof fetch;
  onProgress?: OnProgress;
}

/** One attempt: streams `url` into `part`. Throws TransientError for anything a retry could fix. */
async function fetchToFile(ctx: FetchContext, part: string): Promise<number> {
  const controller = new AbortController();
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, ctx.timeoutMs);
  };
  let fh: fs.FileHandle | undefined;
  let received = 0;
  try {
    arm();
    // identity: the .gz is the payload, not a transfer encoding to undo. Some servers label it
    // Content-Encoding: gzip anyway; fetch then hands back the decompressed file, handled by the caller.
    const res = await ctx.fetchImpl(ctx.url, { signal: controller.signal, redirect: 'follow', headers: { 'Accept-Encoding': 'identity' } });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new TransientError(`HTTP ${res.status} ${res.statusText}`.trim());
    }
    if (!res.body) throw new TransientError('response has no body');
    const header = res.headers.get('content-length');
    const encoding = (res.headers.get('content-encoding') ?? 'identity').toLowerCase();
    // With a content encoding, Content-Length counts the encoded bytes, not the ones read here.
    const total = header !== null && /^\d+$/.test(header) && encoding === 'identity' ? Number(header) : undefined;
    if (total !== undefined && total > MAX_FILE_BYTES) {
      throw new DownloadError(`${ctx.url}: server announces ${total} bytes, more than any Fashion-MNIST file`);
    }
    fh = await fs.open(part, 'wx');
    const reader = res.body.getReader();
    let reported = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arm();
      received += value.length;
      if (received > MAX_FILE_BYTES) {
        controller.abort();
        throw new DownloadError(`${ctx.url}: more than ${MAX_FILE_BYTES} bytes, more than any Fashion-MNIST file`);
      }
      await fh.write(value);
      if (received - reported >= 1 << 20) {
        reported = received;
        ctx.onProgress?.({ phase: 'bytes', file: ctx.file, received, total, message: `${ctx.file}: ${received} bytes` });
      }
    }
    if (total !== undefined && received !== total) {
      throw new TransientError(`connection closed after ${received} of ${total} bytes`);
    }
    if (received === 0) throw new TransientError('empty response');
    await fh.sync();
    return received;
  } catch (err) {
    if (err instanceof DownloadError || err instanceof TransientError) throw err;
    if (stalled) throw new TransientError(`no data for ${ctx.timeoutMs} ms after ${received} bytes, aborted`);
    const cause = (err as { cause?: unknown }).cause;
    throw new TransientError(errorText(err) + (cause ? ` (${errorText(cause)})` : ''));
  } finally {
    clearTimeout(timer);
    await fh?.close();
  }
}

/**
 * Downloads the four `NAME.gz` files into `dir`, skipping those already present and verified. Each goes
 * to `NAME.gz.part-<random>` first and is renamed to `NAME.gz` only after its decompressed SHA-256
 * matches, so an interrupted or bad download never sits under the real name and never replaces a good file.
 */
export async function downloadFashionMnist(opts: DownloadOptions = {}): Promise<DownloadResult> {
  const dir = opts.dir ?? LOCAL_DATA_DIR;
  const baseUrl = (opts.baseUrl ?? DEFAULT_BASE_URL).replace(/\/?$/, '/');
  const retries = opts.retries ?? 3;
  const retryDelayMs = opts.retryDelayMs ?? 1000;
  const expected = opts.expected ?? FASHION_MNIST_DIGESTS;
  const fetchImpl = opts.fetchImpl ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const onProgress = opts.onProgress;
  if (!Number.isInteger(retries) || retries < 0) throw new DownloadError(`retries must be a non-negative integer, got ${retries}`);
  if (!(timeoutMs > 0)) throw new DownloadError(`timeoutMs must be positive, got ${timeoutMs}`);

  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (err) {
    throw new DownloadError(`${dir}: cannot create the download directory (${errorText(err)})`, { cause: err });
  }

  const files = {} as DownloadResult['files'];
  for (const key of FASHION_MNIST_KEYS) {
    const name = FASHION_MNIST_FILES[key];
    const present = await verifiedCopy(dir, name, expected[key]);
    if (present !== null) {
      onProgress?.({ phase: 'present', file: present, message: `${present}: present and verified, not downloading` });
      files[key] = { path: present, action: 'present' };
      continue;
    }
    const finalPath = path.join(dir, `${name}.gz`);
    const ctx: FetchContext = { url: new URL(`${name}.gz`, baseUrl).href, file: finalPath, timeoutMs, fetchImpl, onProgress };
    files[key] = { path: await downloadOne(ctx, expected[key], retries, retryDelayMs), action: 'downloaded' };
  }
  return { dir, files };
}

/** Downloads one file with retries; returns where it landed (NAME.gz, or NAME if the server sent it decoded). */
async function downloadOne(ctx: FetchContext, digest: FileDigest, retries: number, retryDelayMs: number): Promise<string> {
  let lastProblem = '';
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    if (attempt > 1) {
      ctx.onProgress?.({ phase: 'retry', file: ctx.file, attempt, message: `${ctx.url}: ${lastProblem}; retrying (attempt ${attempt})` });
      await sleep(retryDelayMs);
    }
    ctx.onProgress?.({ phase: 'fetch', file: ctx.file, attempt, message: `downloading ${ctx.url}` });
    const part = `${ctx.file}.part-${randomBytes(6).toString('hex')}`;
    try {
      await fetchToFile(ctx, part);
      const verdict = await verify(await fs.readFile(part), digest);
      if (!verdict.ok) {
        await fs.rm(part, { force: true }); // before throwing, so the message's "deleted" is already true
        throw new DownloadError(`${ctx.url}: ${verdict.problem}; the downloaded file was deleted`);
      }
      const target = verdict.gzip ? ctx.file : ctx.file.replace(/\.gz$/, '');
      await fs.rename(part, target);
      // NAME.gz is preferred when loading; one left there now is known bad (a good one would have been skipped).
      if (!verdict.gzip) await fs.rm(ctx.file, { force: true });
      ctx.onProgress?.({ phase: 'verified', file: target, message: `${target}: downloaded and verified` });
      return target;
    } catch (err) {
      if (!(err instanceof TransientError)) {
        if (err instanceof DownloadError) throw err;
        throw new DownloadError(`${ctx.url}: ${errorText(err)}`, { cause: err });
      }
      lastProblem = err.message;
    } finally {
      await fs.rm(part, { force: true }).catch(() => undefined);
    }
  }
  throw new DownloadError(`${ctx.url}: failed after ${retries + 1} attempts: ${lastProblem}; ${ctx.file} was not written`);
}
