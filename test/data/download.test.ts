import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FASHION_MNIST_FILES, FASHION_MNIST_KEYS, type FashionMnistFileKey, type FileDigest } from '../../src/data/dataset.js';
import { downloadFashionMnist, loadFashionMnist, sha256Hex, type DataProgress, type DownloadOptions } from '../../src/data/node.js';
import { DownloadError } from '../../src/errors.js';
import { gz, tempDir, tinyFiles } from './helpers.js';

// Small generated files served from 127.0.0.1 with their own digest table, so the real download logic
// (streaming, stall timer, retries, verification, atomic rename) runs without the internet.
const RAW = tinyFiles(6, 4, 99);
const GZ = Object.fromEntries(FASHION_MNIST_KEYS.map((k) => [k, gz(RAW[k])])) as Record<FashionMnistFileKey, Uint8Array>;
const EXPECTED = Object.fromEntries(
  FASHION_MNIST_KEYS.map((k) => [k, { sha256: sha256Hex(RAW[k]), bytes: RAW[k].length }]),
) as Record<FashionMnistFileKey, FileDigest>;
const URL_PATH = Object.fromEntries(FASHION_MNIST_KEYS.map((k) => [`/${FASHION_MNIST_FILES[k]}.gz`, k])) as Record<string, FashionMnistFileKey>;

type Handler = (key: FashionMnistFileKey, res: http.ServerResponse, attempt: number) => void;

interface Server {
  baseUrl: string;
  requests: Record<string, number>; // per URL path
  close: () => Promise<void>;
}

async function serve(handler: Handler): Promise<Server> {
  const requests: Record<string, number> = {};
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    requests[url] = (requests[url] ?? 0) + 1;
    const key = URL_PATH[url];
    if (key === undefined) {
      res.writeHead(404).end();
      return;
    }
    handler(key, res, requests[url]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const good: Handler = (key, res) => {
  res.writeHead(200, { 'Content-Type': 'application/gzip', 'Content-Length': String(GZ[key].length) });
  res.end(GZ[key]);
};

describe('downloadFashionMnist against a local server', () => {
  let dir = '';
  let cleanup = (): void => undefined;
  let server: Server | null = null;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('fmnist-dl-'));
  });
  afterEach(async () => {
    await server?.close();
    server = null;
    cleanup();
  });

  const opts = (extra: Partial<DownloadOptions> = {}): DownloadOptions => ({
    dir,
    baseUrl: server!.baseUrl,
    expected: EXPECTED,
    retries: 2,
    retryDelayMs: 10,
    timeoutMs: 2000,
    ...extra,
  });
  const requestsFor = (key: FashionMnistFileKey): number => server!.requests[`/${FASHION_MNIST_FILES[key]}.gz`] ?? 0;
  const listing = (): string[] => readdirSync(dir).sort();
  async function downloadError(o: DownloadOptions): Promise<DownloadError> {
    const err = await downloadFashionMnist(o).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    return err as DownloadError;
  }

  it('success: the four files land verified under their names; a second run downloads nothing', async () => {
    server = await serve(good);
    const events: DataProgress[] = [];
    const result = await downloadFashionMnist(opts({ onProgress: (e) => events.push(e) }));
    expect(listing()).toEqual(FASHION_MNIST_KEYS.map((k) => `${FASHION_MNIST_FILES[k]}.gz`).sort());
    for (const key of FASHION_MNIST_KEYS) {
      expect(result.files[key]).toEqual({ path: path.join(dir, `${FASHION_MNIST_FILES[key]}.gz`), action: 'downloaded' });
      expect(new Uint8Array(gunzipSync(readFileSync(result.files[key].path)))).toEqual(RAW[key]);
      expect(requestsFor(key)).toBe(1);
    }
    expect(events.filter((e) => e.phase === 'verified').length).toBe(4);

    const again = await downloadFashionMnist(opts());
    expect(FASHION_MNIST_KEYS.map((k) => again.files[k].action)).toEqual(['present', 'present', 'present', 'present']);
    expect(FASHION_MNIST_KEYS.map(requestsFor)).toEqual([1, 1, 1, 1]);

    const data = await loadFashionMnist({ root: dir });
    expect([data.train.count, data.test.count]).toEqual([6, 4]);
  });

  it('wrong bytes: DownloadError with both hashes, no retry, nothing left (neither final nor .part)', async () => {
    const wrong = gz(tinyFiles(6, 4, 12345).trainLabels);
    server = await serve((key, res) => (key === 'trainLabels' ? res.end(wrong) : good(key, res, 1)));
    const err = await downloadError(opts());
    expect(err.message).toContain(`expected ${EXPECTED.trainLabels.sha256}`);
    expect(err.message).toContain(`SHA-256 ${sha256Hex(gunzipSync(wrong))}`);
    expect(err.message).toMatch(/the download was discarded, nothing was written$/);
    expect(requestsFor('trainLabels')).toBe(1);
    // train images came first and verified; nothing of the labels remains.
    expect(listing()).toEqual([`${FASHION_MNIST_FILES.trainImages}.gz`]);
  });

  it('not gzip at all: DownloadError, file deleted', async () => {
    server = await serve((key, res) => res.end(key === 'trainImages' ? 'not a gzip file' : GZ[key]));
    const err = await downloadError(opts());
    expect(err.message).toMatch(/train-images-idx3-ubyte\.gz: not gzip data, nor the expected raw file: SHA-256 [0-9a-f]{64} \(15 bytes\).*; the download was discarded, nothing was written$/);
    expect(listing()).toEqual([]);
  });

  it('truncation (Content-Length larger, then the connection closes): bounded retries, then an error, no file', async () => {
    server = await serve((key, res) => {
      const body = GZ[key];
      res.writeHead(200, { 'Content-Length': String(body.length + 1000) });
      res.write(body.subarray(0, body.length >> 1), () => res.socket?.destroy());
    });
    const events: DataProgress[] = [];
    const t0 = Date.now();
    const err = await downloadError(opts({ retries: 2, onProgress: (e) => events.push(e) }));
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(requestsFor('trainImages')).toBe(3); // 1 + 2 retries, then give up
    expect(requestsFor('trainLabels')).toBe(0);
    expect(err.message).toMatch(/train-images-idx3-ubyte\.gz: failed after 3 attempts: /);
    expect(events.filter((e) => e.phase === 'retry').map((e) => e.attempt)).toEqual([2, 3]);
    expect(listing()).toEqual([]);
  });

  it('a server that sends fewer bytes than its Content-Length and ends cleanly is truncation too', async () => {
    // A handler that lies about the length but closes the response normally; undici or our own count catches it.
    server = await serve((key, res) => {
      const socket = res.socket;
      res.writeHead(200, { 'Content-Length': String(GZ[key].length + 10) });
      res.end(GZ[key], () => socket?.end());
    });
    const t0 = Date.now();
    const err = await downloadError(opts({ retries: 1 }));
    expect(err.message).toMatch(/failed after 2 attempts/);
    expect(err.message).not.toMatch(/no data for/); // caught as a short body, not by the 2 s stall timer
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(requestsFor('trainImages')).toBe(2);
    expect(listing()).toEqual([]);
  });

  it('a corrupt gzip body is not retried and leaves nothing', async () => {
    server = await serve((key, res) => res.end(key === 'testImages' ? GZ[key].subarray(0, 30) : GZ[key]));
    const err = await downloadError(opts());
    expect(err.message).toMatch(/t10k-images-idx3-ubyte\.gz: not valid gzip data \(.*\); the download was discarded, nothing was written$/);
    expect(requestsFor('testImages')).toBe(1);
    expect(listing()).toEqual([`${FASHION_MNIST_FILES.trainImages}.gz`, `${FASHION_MNIST_FILES.trainLabels}.gz`]);
  });

  it('a server that labels the .gz as Content-Encoding: gzip: fetch decodes it, the raw file is kept as NAME', async () => {
    server = await serve((key, res) => {
      const headers = key === 'testLabels' ? { 'Content-Encoding': 'gzip' } : {};
      res.writeHead(200, { ...headers, 'Content-Length': String(GZ[key].length) });
      res.end(GZ[key]);
    });
    const result = await downloadFashionMnist(opts());
    expect(result.files.testLabels.path).toBe(path.join(dir, FASHION_MNIST_FILES.testLabels));
    expect(new Uint8Array(readFileSync(result.files.testLabels.path))).toEqual(RAW.testLabels);
    expect((await downloadFashionMnist(opts())).files.testLabels.action).toBe('present');
    expect((await loadFashionMnist({ root: dir })).test.count).toBe(4);
  });

  it('HTTP errors are retried a bounded number of times', async () => {
    server = await serve((_key, res) => res.writeHead(503, 'Slow Down').end());
    const err = await downloadError(opts({ retries: 3 }));
    expect(err.message).toMatch(/failed after 4 attempts: HTTP 503 Slow Down/);
    expect(requestsFor('trainImages')).toBe(4);
    expect(listing()).toEqual([]);
  });

  it('a stall mid-body is aborted by timeoutMs', async () => {
    server = await serve((key, res) => {
      res.writeHead(200, { 'Content-Length': String(GZ[key].length) });
      res.write(GZ[key].subarray(0, 10)); // then nothing, connection kept open
    });
    const t0 = Date.now();
    const err = await downloadError(opts({ timeoutMs: 200, retries: 1 }));
    const elapsed = Date.now() - t0;
    expect(err.message).toMatch(/failed after 2 attempts: no data for 200 ms after 10 bytes, aborted/);
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(2500);
    expect(listing()).toEqual([]);
  });

  it('a stall before the headers is aborted too', async () => {
    server = await serve(() => undefined); // accepts the request, never answers
    const t0 = Date.now();
    const err = await downloadError(opts({ timeoutMs: 150, retries: 0 }));
    expect(err.message).toMatch(/failed after 1 attempts: no data for 150 ms after 0 bytes/);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(listing()).toEqual([]);
  });

  it('a pre-existing good file is neither refetched nor overwritten by a failing download', async () => {
    // Same decompressed bytes, a different gzip wrapper: if it were replaced, the bytes on disk would change.
    const mine = gz(RAW.trainImages, 1);
    expect(mine).not.toEqual(GZ.trainImages);
    const file = path.join(dir, `${FASHION_MNIST_FILES.trainImages}.gz`);
    writeFileSync(file, mine);
    const mtime = statSync(file).mtimeMs;
    server = await serve((_key, res) => res.writeHead(500).end());
    const err = await downloadError(opts({ retries: 1 }));
    expect(err.message).toMatch(/train-labels-idx1-ubyte\.gz: failed after 2 attempts: HTTP 500/);
    expect(requestsFor('trainImages')).toBe(0);
    expect(new Uint8Array(readFileSync(file))).toEqual(mine);
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(listing()).toEqual([`${FASHION_MNIST_FILES.trainImages}.gz`]);
  });

  it('a pre-existing bad file stays untouched when the download fails, and is replaced when it succeeds', async () => {
    const file = path.join(dir, `${FASHION_MNIST_FILES.trainImages}.gz`);
    const bad = gz(RAW.trainLabels);
    writeFileSync(file, bad);
    server = await serve((_key, res) => res.writeHead(500).end());
    await downloadError(opts({ retries: 0 }));
    expect(new Uint8Array(readFileSync(file))).toEqual(bad);
    await server.close();

    server = await serve(good);
    await downloadFashionMnist(opts());
    expect(new Uint8Array(readFileSync(file))).toEqual(GZ.trainImages);
  });

  it('loadFashionMnist({download: true}) fetches into the given root and loads it', async () => {
    server = await serve(good);
    const data = await loadFashionMnist({
      root: path.join(dir, 'nested', 'fm'),
      download: true,
      downloadOptions: { baseUrl: server.baseUrl, expected: EXPECTED, retryDelayMs: 10 },
    });
    expect([data.train.count, data.test.count, data.source]).toEqual([6, 4, path.join(dir, 'nested', 'fm')]);
    expect(Array.from(data.train.labels)).toEqual(Array.from(RAW.trainLabels.subarray(8)));
  });
});
