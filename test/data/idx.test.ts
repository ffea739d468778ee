import { chmodSync, closeSync, ftruncateSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeIdx, FASHION_MNIST_FILES, MAX_FILE_BYTES, type FashionMnistFileKey } from '../../src/data/dataset.js';
import { checkImagesLabels, isGzip, parseIdx } from '../../src/data/idx.js';
import { gunzipNode, loadFashionMnist, readDataFile } from '../../src/data/node.js';
import { DataError } from '../../src/errors.js';
import { gz, idxBytes, tempDir, tinyFiles, writeFiles } from './helpers.js';

/** Runs `fn` and returns the DataError it throws (fails the test on success or any other error). */
async function dataError(fn: () => unknown): Promise<DataError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof DataError) return err;
    throw new Error(`expected a DataError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a DataError, got success');
}

describe('parseIdx on valid files', () => {
  it('parses images [2, 28, 28] and labels [2] as views of the input', () => {
    const pixels = Uint8Array.from({ length: 2 * 784 }, (_, i) => i % 251);
    const bytes = idxBytes([2, 28, 28], pixels);
    const images = parseIdx(bytes, 'img', { expectedRank: 3 });
    expect(images.dims).toEqual([2, 28, 28]);
    expect(images.data).toEqual(pixels);
    expect(images.data.buffer).toBe(bytes.buffer); // a view, not a copy
    expect(images.data.byteOffset).toBe(16);

    const labels = parseIdx(idxBytes([2], Uint8Array.of(9, 0)), 'lbl', { expectedRank: 1 });
    expect(labels.dims).toEqual([2]);
    expect(Array.from(labels.data)).toEqual([9, 0]);

    const checked = checkImagesLabels(images, labels, 'img', 'lbl');
    expect(checked.count).toBe(2);
    expect(checked.images.length).toBe(2 * 784);
    expect(Array.from(checked.labels)).toEqual([9, 0]);
  });

  it('accepts ranks 1..4 and returns a plain Uint8Array for a Node Buffer input', () => {
    for (const dims of [[5], [2, 3], [2, 3, 4], [1, 2, 3, 4]]) {
      const out = parseIdx(Buffer.from(idxBytes(dims)), 'x');
      expect(out.dims).toEqual(dims);
      expect(out.data.length).toBe(dims.reduce((a, b) => a * b, 1));
      expect(Object.getPrototypeOf(out.data)).toBe(Uint8Array.prototype);
    }
  });

  it('isGzip looks at the 1f 8b magic', () => {
    expect(isGzip(gzipSync(Buffer.from('x')))).toBe(true);
    expect(isGzip(idxBytes([1]))).toBe(false);
    expect(isGzip(Uint8Array.of(0x1f))).toBe(false);
  });
});

describe('parseIdx and checkImagesLabels reject bad input with a DataError naming the file', () => {
  const F = 'train-images-idx3-ubyte.gz';
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /: empty file$/],
    ['3 bytes', Uint8Array.of(0, 0, 8), /too short/],
    ['wrong magic', Uint8Array.of(0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1, 0), /not an IDX file \(magic 0x12345678\)/],
    ['f32 elements', idxBytes([1], Uint8Array.of(0, 0, 0, 0), 0x0d), /element type 0x0d \(f32\) is not supported/],
    ['unknown element type', idxBytes([1], undefined, 0x42), /element type 0x42 \(unknown type\)/],
    ['rank 0', Uint8Array.of(0, 0, 8, 0), /rank 0 is out of range/],
    ['rank 5', idxBytes([1, 1, 1, 1, 1]), /rank 5 is out of range/],
    ['header cut', idxBytes([2, 28, 28]).subarray(0, 10), /header of rank 3 needs 16 bytes but the file has only 10/],
    ['zero dimension', idxBytes([2, 0, 28]), /dimension 1 is 0/],
    ['short data', idxBytes([2, 28, 28]).subarray(0, 16 + 1567), /declares 1568 bytes of data but has 1567 \(truncated\)/],
    ['long data', new Uint8Array([...idxBytes([2, 28, 28]), 1, 2]), /declares 1568 bytes of data but has 1570 \(2 trailing bytes\)/],
    ['still gzip', gz(idxBytes([3])), /is gzip-compressed/],
  ];
  for (const [name, bytes, problem] of cases) {
    it(name, () => {
      const err = (() => {
        try {
          parseIdx(bytes, F);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(DataError);
      expect((err as Error).message.startsWith(`${F}: `)).toBe(true);
      expect((err as Error).message).toMatch(problem);
    });
  }

  it('a wrong rank for the role', () => {
    expect(() => parseIdx(idxBytes([4]), 'imgs', { expectedRank: 3 })).toThrow(/^imgs: expected an IDX array of rank 3, got rank 1$/);
  });

  it('huge declared size (2^31 x 28 x 28 on a 20-byte file) fails at once without allocating', () => {
    const bytes = new Uint8Array(20);
    bytes.set([0, 0, 8, 3]);
    const view = new DataView(bytes.buffer);
    view.setUint32(4, 2 ** 31);
    view.setUint32(8, 28);
    view.setUint32(12, 28);
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    expect(() => parseIdx(bytes, 'huge.idx')).toThrow(/^huge\.idx: header \[2147483648, 28, 28\] declares 1683627180032 bytes of data but has 4 \(truncated\)$/);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
    // Four dimensions of 2^32 - 1: the product is only exact as a BigInt.
    const big = idxBytes([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], new Uint8Array(0));
    expect(() => parseIdx(big, 'big')).toThrow(/declares \d{39} bytes of data but has 0/);
  });

  const images = (n: number) => parseIdx(idxBytes([n, 28, 28]), 'i');
  const labels = (y: number[]) => parseIdx(idxBytes([y.length], Uint8Array.from(y)), 'l');
  it('more labels than images', () => {
    expect(() => checkImagesLabels(images(2), labels([1, 2, 3]), 'imgs.gz', 'lbls.gz')).toThrow(
      /^lbls\.gz: has 3 labels, more than the 2 images in imgs\.gz$/,
    );
  });
  it('fewer labels than images', () => {
    expect(() => checkImagesLabels(images(3), labels([1, 2]), 'imgs.gz', 'lbls.gz')).toThrow(/^lbls\.gz: has 2 labels, fewer than the 3 images/);
  });
  it('label value 10 (first bad index and value)', () => {
    expect(() => checkImagesLabels(images(5), labels([0, 9, 3, 10, 200]), 'imgs', 'lbls')).toThrow(/^lbls: label 3 is 10, outside the classes 0\.\.9$/);
  });
  it('images that are not 28x28, and labels of rank 2', () => {
    expect(() => checkImagesLabels(parseIdx(idxBytes([2, 27, 28]), 'i'), labels([1, 2]), 'imgs', 'lbls')).toThrow(/^imgs: expected 28x28 images, got 27x28$/);
    expect(() => checkImagesLabels(images(2), parseIdx(idxBytes([2, 1]), 'l'), 'imgs', 'lbls')).toThrow(/^lbls: expected labels of shape \[N\]/);
  });
});

describe('loading a directory with one bad file: DataError naming that file', () => {
  let dir = '';
  let cleanup = (): void => undefined;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(() => {
    chmodSync(dir, 0o755);
    cleanup();
  });

  const load = () => loadFashionMnist({ root: dir, env: {}, searchDirs: [] });
  /** Writes a good tiny dataset, replaces `key`'s file by `bytes` (as NAME.gz or NAME), expects the error. */
  async function expectBad(key: FashionMnistFileKey, bytes: Uint8Array, asGz: boolean, problem: RegExp): Promise<void> {
    // Start empty: a NAME.gz left by an earlier call would shadow a raw NAME (NAME.gz is preferred).
    for (const f of readdirSync(dir)) rmSync(path.join(dir, f), { recursive: true });
    const paths = writeFiles(dir, tinyFiles(4, 3), { [key]: asGz });
    writeFileSync(paths[key], bytes);
    const err = await dataError(load);
    expect(err.message.startsWith(`${paths[key]}: `), err.message).toBe(true);
    expect(err.message).toMatch(problem);
  }

  it('the good dataset loads (so the failures below come from the one bad file)', async () => {
    writeFiles(dir, tinyFiles(4, 3), { trainLabels: false });
    const data = await load();
    expect([data.train.count, data.test.count, data.source]).toEqual([4, 3, dir]);
  });
  it('truncated gzip', async () => {
    const whole = gz(tinyFiles(4, 3).trainImages);
    await expectBad('trainImages', whole.subarray(0, whole.length >> 1), true, /cannot decompress gzip data/);
  });
  it('gzip of garbage', async () => {
    const garbage = Uint8Array.from({ length: 500 }, (_, i) => (i * 37 + 11) & 0xff);
    await expectBad('trainLabels', gz(garbage), true, /not an IDX file \(magic 0x0b30557a\)/);
  });
  it('garbage behind a gzip magic', async () => {
    await expectBad('testLabels', Uint8Array.of(0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), true, /cannot decompress gzip data/);
  });
  it('wrong magic', async () => {
    await expectBad('testImages', Uint8Array.of(0x12, 0x34, 0x56, 0x78, 1, 2, 3), false, /not an IDX file \(magic 0x12345678\)/);
  });
  it('wrong element type (0x0D float)', async () => {
    await expectBad('trainImages', gz(idxBytes([1, 28, 28], new Uint8Array(4 * 784), 0x0d)), true, /element type 0x0d \(f32\)/);
  });
  it('dims disagree with the file size: short and long', async () => {
    const good = tinyFiles(4, 3).trainImages;
    await expectBad('trainImages', good.subarray(0, good.length - 1), false, /declares 3136 bytes of data but has 3135 \(truncated\)/);
    await expectBad('trainImages', gz(new Uint8Array([...good, 0])), true, /declares 3136 bytes of data but has 3137 \(1 trailing bytes\)/);
  });
  it('more labels than images, and fewer', async () => {
    await expectBad('trainLabels', gz(idxBytes([5], new Uint8Array(5))), true, /has 5 labels, more than the 4 images in .*train-images-idx3-ubyte/);
    await expectBad('testLabels', idxBytes([2], new Uint8Array(2)), false, /has 2 labels, fewer than the 3 images in .*t10k-images-idx3-ubyte/);
  });
  it('label value 10', async () => {
    await expectBad('testLabels', gz(idxBytes([3], Uint8Array.of(1, 10, 2))), true, /label 1 is 10/);
  });
  it('empty file (raw and .gz)', async () => {
    await expectBad('trainLabels', new Uint8Array(0), false, /: empty file$/);
    await expectBad('trainLabels', new Uint8Array(0), true, /: empty file$/);
  });
  it('huge declared size on a 20-byte file', async () => {
    const bytes = idxBytes([2 ** 31, 28, 28], new Uint8Array(4));
    const before = process.memoryUsage().arrayBuffers;
    await expectBad('trainImages', bytes, false, /declares 1683627180032 bytes of data but has 4/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });
  it('a file over the size cap is refused before it is read', async () => {
    const paths = writeFiles(dir, tinyFiles(2, 2));
    // Sparse: no disk and no memory, only a size.
    const fd = openSync(paths.trainImages, 'w');
    ftruncateSync(fd, MAX_FILE_BYTES + 1);
    closeSync(fd);
    const before = process.memoryUsage().arrayBuffers;
    const err = await dataError(load);
    expect(err.message).toMatch(new RegExp(`^${paths.trainImages}: ${MAX_FILE_BYTES + 1} bytes is larger than any Fashion-MNIST file`));
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });
  it('a directory where a file should be (EISDIR)', async () => {
    const paths = writeFiles(dir, tinyFiles(2, 2));
    rmSync(paths.testImages);
    mkdirSync(paths.testImages);
    const err = await dataError(load);
    expect(err.message).toBe(`${paths.testImages}: is a directory, not a file`);
  });
  it('unreadable file (chmod 000)', async () => {
    const paths = writeFiles(dir, tinyFiles(2, 2));
    chmodSync(paths.trainLabels, 0o000);
    if (process.getuid?.() === 0) {
      // Root reads through mode 000, so there is no EACCES to provoke here: the load must simply succeed.
      // (The read-error path is covered by the EISDIR case above.)
      expect((await load()).train.count).toBe(2);
    } else {
      const err = await dataError(load);
      expect(err.message).toMatch(new RegExp(`^${paths.trainLabels}: cannot read \\(EACCES`));
    }
  });
  it('directory missing one file: names the directory and the missing file, does not look elsewhere', async () => {
    const paths = writeFiles(dir, tinyFiles(2, 2));
    rmSync(paths.testLabels);
    const err = await dataError(() => loadFashionMnist({ root: dir, env: { FASHION_MNIST_DIR: '/usr/share/datasets/fashion-mnist' } }));
    expect(err.message).toBe(`${dir}: Fashion-MNIST files missing: ${FASHION_MNIST_FILES.testLabels} (each as NAME or NAME.gz)`);
  });
  it('readDataFile on a missing path', async () => {
    const err = await dataError(() => readDataFile(path.join(dir, 'nope')));
    expect(err.message).toMatch(/nope: cannot read \(ENOENT/);
  });
});

describe('gzip output cap', () => {
  it('a gzip bomb beyond the cap is a DataError, not an out-of-memory', async () => {
    // 1 MiB of zeros per 1 KiB of gzip: MAX_FILE_BYTES + 1 MiB expands past the cap.
    const bomb = gzipSync(Buffer.alloc(MAX_FILE_BYTES + (1 << 20)), { level: 1 });
    const err = await dataError(() => decodeIdx(bomb, 'bomb.gz', gunzipNode, 3));
    expect(err.message).toMatch(/^bomb\.gz: cannot decompress gzip data/);
  });
});
