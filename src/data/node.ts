/**
 * Fashion-MNIST from the file system, and its download (Node only).
 *
 * Search order, like torchvision's `root`: an explicit directory (`--data DIR`) is the only place looked
 * at; otherwise $FASHION_MNIST_DIR, then Debian's dataset-fashion-mnist, then ./data/fashion-mnist. In each
 * directory a file may be stored as NAME or NAME.gz.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { DataError, DownloadError, SoftmaxError } from '../errors.js';
import { ensureDirectory, readRegularFile, writeFileAtomic } from '../io/files.js';
import {
  decodeFashionMnistFiles,
  FASHION_MNIST,
  FASHION_MNIST_DIGESTS,
  FASHION_MNIST_FILES,
  FASHION_MNIST_KEYS,
  MAX_FILE_BYTES,
  type FashionMnist,
  type FashionMnistFileKey,
  type FileDigest,
} from './dataset.js';
import { isGzip } from './idx.js';

/** Where Debian's dataset-fashion-mnist installs the files: the first directory searched after $FASHION_MNIST_DIR. */
export const SYSTEM_DATA_DIR = FASHION_MNIST.searchDirs[0];
/** ./data/fashion-mnist: searched after SYSTEM_DATA_DIR, and where a download goes by default. */
export const LOCAL_DATA_DIR = FASHION_MNIST.searchDirs[1];
/** The official mirror the files are downloaded from (as NAME.gz). */
export const DEFAULT_BASE_URL = FASHION_MNIST.mirror;

/** Longest stall timeout: what a timer holds (2^31 - 1 ms, 24.8 days); Node turns a longer one into 1 ms. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Why `url` cannot be a mirror to download from, or null: it must be an absolute http:// or https:// URL. */
export function baseUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `needs an absolute http:// or https:// URL, got "${url}"`;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? null : `needs an http:// or https:// URL, got "${url}" (${parsed.protocol.slice(0, -1)})`;
}

/** One step of finding, downloading or verifying the dataset, for a progress line. */
export interface DataProgress {
  /** What is happening: 'load', 'present' (a file found), 'fetch', 'bytes' (a download's progress), 'retry' or 'verified'. */
  phase: 'load' | 'present' | 'fetch' | 'bytes' | 'retry' | 'verified';
  /** The file or directory concerned. */
  file: string;
  /** bytes so far (phase 'bytes') */
  received?: number | undefined;
  /** Content-Length when the server sent one */
  total?: number | undefined;
  /** 1-based (phases 'fetch' and 'retry') */
  attempt?: number | undefined;
  /** The step in words, for a log line. */
  message: string;
}
/** Called with each DataProgress. */
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
 * Reads one dataset file whole: a regular file of at most MAX_FILE_BYTES (the largest real file is 47 MB),
 * refused before any read otherwise (src/io/files.ts), so /dev/zero or a FIFO cannot hang or fill memory.
 */
export async function readDataFile(file: string): Promise<Uint8Array> {
  return readRegularFile(file, { maxBytes: MAX_FILE_BYTES, what: 'Fashion-MNIST file', error: DataError });
}

interface Located {
  found: Partial<Record<FashionMnistFileKey, string>>;
  missing: string[];
}

/**
 * The file the loader reads for `name` in `dir`: NAME.gz (the form a download writes) if it exists, else NAME,
 * else null. The download's "present and verified" check asks this same function, so it verifies what loads.
 */
async function locateFile(dir: string, name: string): Promise<string | null> {
  for (const candidate of [`${name}.gz`, name]) {
    const file = path.join(dir, candidate);
    try {
      await fs.stat(file);
      return file;
    } catch (err) {
      const code = errorCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw new DataError(`${file}: cannot access (${errorText(err)})`, { cause: err });
    }
  }
  return null;
}

/** Which of the four files `dir` holds. */
async function locate(dir: string): Promise<Located> {
  const found: Partial<Record<FashionMnistFileKey, string>> = {};
  const missing: string[] = [];
  for (const key of FASHION_MNIST_KEYS) {
    const file = await locateFile(dir, FASHION_MNIST_FILES[key]);
    if (file === null) missing.push(FASHION_MNIST_FILES[key]);
    else found[key] = file;
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

/** Where loadFashionMnist looks, and whether it may download. */
export interface LoadOptions {
  /** Explicit directory (`--data DIR`): the only place looked at. */
  root?: string | undefined;
  /** Download into root (or $FASHION_MNIST_DIR, or ./data/fashion-mnist) when the files are not found. */
  download?: boolean | undefined;
  /** Called with each step of finding, downloading and verifying. */
  onProgress?: OnProgress | undefined;
  /** Environment to read FASHION_MNIST_DIR from (tests pass their own). */
  env?: Record<string, string | undefined>;
  /** Directories searched after $FASHION_MNIST_DIR; default Debian's then ./data/fashion-mnist. */
  searchDirs?: string[] | undefined;
  /** Passed to downloadFashionMnist when `download` is set. */
  downloadOptions?: Omit<DownloadOptions, 'dir' | 'onProgress'> | undefined;
}

/** Where the four files are: a directory and, for each file, the path the loader reads. */
export interface DatasetLocation {
  dir: string;
  files: Record<FashionMnistFileKey, string>;
}

/**
 * The one search for the dataset, used by the loader and the dev server alike: `root` alone when given, else
 * $FASHION_MNIST_DIR then FASHION_MNIST.searchDirs, the first directory holding all four files (each as NAME.gz
 * or NAME). A directory holding only some of them is a broken copy: a DataError naming what is missing, rather
 * than silently another copy. Null when no directory holds any.
 */
export async function findFashionMnist(opts: Pick<LoadOptions, 'root' | 'env' | 'searchDirs'> = {}): Promise<DatasetLocation | null> {
  for (const dir of searchOrder(opts)) {
    const { found, missing } = await locate(dir);
    if (missing.length === 0) return { dir, files: found as Record<FashionMnistFileKey, string> };
    if (opts.root !== undefined || missing.length < FASHION_MNIST_KEYS.length) throw new DataError(missingMessage(dir, missing));
  }
  return null;
}

/** The directories findFashionMnist looks in, in order. */
export function searchOrder(opts: Pick<LoadOptions, 'root' | 'env' | 'searchDirs'> = {}): string[] {
  if (opts.root !== undefined) return [opts.root];
  const envDir = (opts.env ?? process.env)[FASHION_MNIST.envVar] || undefined;
  return [...(envDir ? [envDir] : []), ...(opts.searchDirs ?? FASHION_MNIST.searchDirs)];
}

/** Says where the dataset was looked for and how to get it. */
export function notFoundMessage(dirs: string[]): string {
  return `Fashion-MNIST not found (looked in ${dirs.join(', ')}): pass --data DIR, set ${FASHION_MNIST.envVar}, ` +
    'install dataset-fashion-mnist (apt), or run `webgpu-softmax data download`';
}

/** Both splits of Fashion-MNIST from disk: `root` alone when given, else $FASHION_MNIST_DIR, then SYSTEM_DATA_DIR and LOCAL_DATA_DIR; downloaded and verified when missing and `download` is set. A DataError says where it looked and how to get the files. */
export async function loadFashionMnist(opts: LoadOptions = {}): Promise<FashionMnist> {
  const env = opts.env ?? process.env;
  const envDir = env[FASHION_MNIST.envVar] || undefined;
  const download = async (dir: string): Promise<FashionMnist> => {
    await downloadFashionMnist({ ...opts.downloadOptions, dir, onProgress: opts.onProgress });
    const { found, missing } = await locate(dir);
    if (missing.length > 0) throw new DataError(missingMessage(dir, missing) + ' after download');
    return await loadDir(dir, found as Record<FashionMnistFileKey, string>, opts.onProgress);
  };

  let location: DatasetLocation | null;
  try {
    location = await findFashionMnist(opts);
  } catch (err) {
    // `--data DIR --download` fills a directory that lacks files; elsewhere a partial copy is an error.
    if (opts.root !== undefined && opts.download) return await download(opts.root);
    throw err;
  }
  if (location) return await loadDir(location.dir, location.files, opts.onProgress);
  if (opts.download) return await download(opts.root ?? envDir ?? LOCAL_DATA_DIR);
  throw new DataError(notFoundMessage(searchOrder(opts)));
}

// ---------------------------------------------------------------------------------------------------------
// Download

/** Where downloadFashionMnist writes, where from, and how hard it tries. */
export interface DownloadOptions {
  /** The directory to write the files into; default LOCAL_DATA_DIR. */
  dir?: string | undefined;
  /** Where NAME.gz are fetched from; default DEFAULT_BASE_URL. */
  baseUrl?: string | undefined;
  /** Attempts after the first one, for network errors, HTTP errors, truncation and stalls. */
  retries?: number | undefined;
  /** Abort an attempt when no bytes arrive for this long (also while waiting for the headers). */
  timeoutMs?: number | undefined;
  /** Milliseconds to wait before a retry; default 1000. */
  retryDelayMs?: number | undefined;
  /** Called with each step of the download. */
  onProgress?: OnProgress | undefined;
  /** The fetch to use; default the global fetch. */
  fetchImpl?: typeof fetch | undefined;
  /** Digests of the decompressed files; tests inject their own to serve small generated files. */
  expected?: Record<FashionMnistFileKey, FileDigest> | undefined;
}

/** Where the downloaded files are. */
export interface DownloadResult {
  /** The directory the files are in. */
  dir: string;
  /** What became of each file. */
  files: Record<
    FashionMnistFileKey,
    {
      /** The verified file's path. */
      path: string;
      /** Whether it was already there (and verified) or downloaded. */
      action: 'present' | 'downloaded';
    }
  >;
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

/**
 * The file the loader would read for `name` (locateFile) if it verifies, else null: a good raw NAME next to
 * a broken NAME.gz is not "present", since the loader reads the NAME.gz.
 */
async function verifiedCopy(dir: string, name: string, digest: FileDigest, onProgress?: OnProgress): Promise<string | null> {
  const file = await locateFile(dir, name);
  if (file === null) return null;
  let verdict: Verdict;
  try {
    verdict = await verify(await readDataFile(file), digest);
  } catch (err) {
    verdict = { ok: false, problem: err instanceof DataError ? err.message.replace(`${file}: `, '') : errorText(err) };
  }
  // A NAME.gz holding raw bytes would verify but mislead: only accept each name in its own form.
  if (verdict.ok && verdict.gzip === file.endsWith('.gz')) return file;
  const problem = verdict.ok ? (verdict.gzip ? 'holds gzip data under a raw name' : 'holds raw data under a .gz name') : verdict.problem;
  onProgress?.({ phase: 'present', file, message: `${file}: present but not the expected file (${problem}); downloading it again` });
  return null;
}

interface FetchContext {
  url: string;
  file: string;
  timeoutMs: number;
  fetchImpl: typeof fetch;
  onProgress?: OnProgress | undefined;
}

/**
 * One attempt: the body of `url` in memory (at most MAX_FILE_BYTES), to be verified before anything is
 * written. Throws TransientError for anything a retry could fix.
 */
async function fetchBytes(ctx: FetchContext): Promise<Uint8Array> {
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
  const chunks: Uint8Array[] = [];
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
      chunks.push(value);
      if (received - reported >= 1 << 20) {
        reported = received;
        ctx.onProgress?.({ phase: 'bytes', file: ctx.file, received, total, message: `${ctx.file}: ${received} bytes` });
      }
    }
    if (total !== undefined && received !== total) {
      throw new TransientError(`connection closed after ${received} of ${total} bytes`);
    }
    if (received === 0) throw new TransientError('empty response');
    return chunks.length === 1 ? chunks[0] : plain(Buffer.concat(chunks));
  } catch (err) {
    if (err instanceof DownloadError || err instanceof TransientError) throw err;
    if (stalled) throw new TransientError(`no data for ${ctx.timeoutMs} ms after ${received} bytes, aborted`);
    const cause = (err as { cause?: unknown }).cause;
    throw new TransientError(errorText(err) + (cause ? ` (${errorText(cause)})` : ''));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Downloads the four `NAME.gz` files into `dir`, skipping those already present and verified (the files the
 * loader would read). Each is held in memory until its decompressed SHA-256 matches and only then written,
 * atomically (src/io/files.ts), so an interrupted or bad download never sits under the real name and never
 * replaces a good file.
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
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) throw new DownloadError(`timeoutMs must be in 1..${MAX_TIMEOUT_MS}, got ${timeoutMs}`);
  const badUrl = baseUrlProblem(baseUrl);
  if (badUrl) throw new DownloadError(`base URL ${badUrl}`);

  ensureDirectory(dir);

  const files = {} as DownloadResult['files'];
  for (const key of FASHION_MNIST_KEYS) {
    const name = FASHION_MNIST_FILES[key];
    const present = await verifiedCopy(dir, name, expected[key], onProgress);
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
    try {
      const bytes = await fetchBytes(ctx);
      const verdict = await verify(bytes, digest);
      if (!verdict.ok) throw new DownloadError(`${ctx.url}: ${verdict.problem}; the download was discarded, nothing was written`);
      const target = verdict.gzip ? ctx.file : ctx.file.replace(/\.gz$/, '');
      writeFileAtomic(target, bytes, 'Fashion-MNIST file');
      // NAME.gz is preferred when loading; one left there now is known bad (a good one would have been skipped).
      if (!verdict.gzip) await fs.rm(ctx.file, { force: true });
      ctx.onProgress?.({ phase: 'verified', file: target, message: `${target}: downloaded and verified` });
      return target;
    } catch (err) {
      if (!(err instanceof TransientError)) {
        if (err instanceof SoftmaxError) throw err;
        throw new DownloadError(`${ctx.url}: ${errorText(err)}`, { cause: err });
      }
      lastProblem = err.message;
    }
  }
  throw new DownloadError(`${ctx.url}: failed after ${retries + 1} attempts: ${lastProblem}; ${ctx.file} was not written`);
}
