/** Small generated IDX files and temp directories for the data tests. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { FASHION_MNIST_FILES, FASHION_MNIST_KEYS, type FashionMnistFileKey } from '../../src/data/dataset.js';
import { Rng } from '../../src/random.js';

/** An IDX file: magic 00 00 type rank, big-endian u32 dims, then `data` (default: a deterministic ramp). */
export function idxBytes(dims: number[], data?: Uint8Array, type = 0x08): Uint8Array {
  const n = dims.reduce((a, b) => a * b, 1);
  const body = data ?? Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);
  const out = new Uint8Array(4 + 4 * dims.length + body.length);
  const view = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(body, 4 + 4 * dims.length);
  return out;
}

export interface TinySplit {
  images: Uint8Array; // [count, 784]
  labels: Uint8Array; // [count]
}

export function tinySplit(count: number, seed: number): TinySplit {
  const rng = new Rng(seed);
  const images = Uint8Array.from({ length: count * 784 }, () => rng.int(256));
  const labels = Uint8Array.from({ length: count }, () => rng.int(10));
  return { images, labels };
}

/** The four raw (uncompressed) files of a tiny Fashion-MNIST with `nTrain` and `nTest` samples. */
export function tinyFiles(nTrain: number, nTest: number, seed = 1): Record<FashionMnistFileKey, Uint8Array> {
  const train = tinySplit(nTrain, seed);
  const test = tinySplit(nTest, seed + 1000);
  return {
    trainImages: idxBytes([nTrain, 28, 28], train.images),
    trainLabels: idxBytes([nTrain], train.labels),
    testImages: idxBytes([nTest, 28, 28], test.images),
    testLabels: idxBytes([nTest], test.labels),
  };
}

export const gz = (bytes: Uint8Array, level = 6): Uint8Array => new Uint8Array(gzipSync(bytes, { level }));

/**
 * Writes the files into `dir` as NAME (raw) or NAME.gz; `gzip` picks per key. Overrides replace a file's
 * bytes as written (already compressed or not, with the name the `gzip` choice gives).
 */
export function writeFiles(
  dir: string,
  files: Record<FashionMnistFileKey, Uint8Array>,
  gzip: boolean | Partial<Record<FashionMnistFileKey, boolean>> = true,
): Record<FashionMnistFileKey, string> {
  const paths = {} as Record<FashionMnistFileKey, string>;
  for (const key of FASHION_MNIST_KEYS) {
    const zipped = typeof gzip === 'boolean' ? gzip : (gzip[key] ?? true);
    const file = path.join(dir, FASHION_MNIST_FILES[key] + (zipped ? '.gz' : ''));
    writeFileSync(file, zipped ? gz(files[key]) : files[key]);
    paths[key] = file;
  }
  return paths;
}

/** A fresh temp directory; call the returned cleanup in afterEach/finally. */
export function tempDir(prefix = 'fmnist-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
