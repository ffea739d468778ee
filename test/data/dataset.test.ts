import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeFashionMnistFiles,
  FASHION_MNIST_DIGESTS,
  FASHION_MNIST_FILES,
  FASHION_MNIST_KEYS,
  gunzipWeb,
  limitSplit,
  type FashionMnistSplit,
} from '../../src/data/dataset.js';
import { CLASS_NAMES, textLabels } from '../../src/data/labels.js';
import { epochOrder } from '../../src/data/minibatches.js';
import { gunzipNode, loadFashionMnist, readDataFile, sha256Hex, SYSTEM_DATA_DIR } from '../../src/data/node.js';
import { DataError } from '../../src/errors.js';
import { epochSeed, Rng } from '../../src/random.js';
import { gz, tempDir, tinyFiles, tinySplit, writeFiles } from './helpers.js';

const hasSystemData = existsSync(SYSTEM_DATA_DIR);

describe.skipIf(!hasSystemData)(`the real Fashion-MNIST in ${SYSTEM_DATA_DIR}`, () => {
  it('loads 60000 / 10000 samples with the first train labels of the release', async () => {
    // env {} and the default search dirs: Debian's directory is found without being named.
    const data = await loadFashionMnist({ env: {} });
    expect(data.source).toBe(SYSTEM_DATA_DIR);
    expect([data.train.count, data.test.count]).toEqual([60000, 10000]);
    expect([data.train.images.length, data.test.images.length]).toEqual([60000 * 784, 10000 * 784]);
    expect([data.train.rows, data.train.cols]).toEqual([28, 28]);
    expect(Array.from(data.train.labels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);

    // Independently of parseIdx: the labels start at byte 8 of the decompressed file.
    const raw = await gunzipNode(await readDataFile(path.join(SYSTEM_DATA_DIR, `${FASHION_MNIST_FILES.trainLabels}.gz`)));
    expect(Array.from(raw.subarray(8, 18))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect(data.train.labels).toEqual(raw.subarray(8));

    // Every class occurs 6000 / 1000 times (the release is balanced).
    for (const split of [data.train, data.test]) {
      const counts = new Array(10).fill(0);
      for (const y of split.labels) counts[y]++;
      expect(counts).toEqual(new Array(10).fill(split.count / 10));
    }
  });

  it('the decompressed files match the SHA-256 and size table', async () => {
    for (const key of FASHION_MNIST_KEYS) {
      const raw = await gunzipNode(await readDataFile(path.join(SYSTEM_DATA_DIR, `${FASHION_MNIST_FILES[key]}.gz`)));
      expect({ key, bytes: raw.length, sha256: sha256Hex(raw) }).toEqual({ key, ...FASHION_MNIST_DIGESTS[key] });
    }
  });
});

describe('search order', () => {
  const dirs: Record<string, string> = {};
  const cleanups: (() => void)[] = [];
  beforeEach(() => {
    // Each directory holds a dataset of a different size, so `train.count` says which one was loaded.
    for (const [name, n] of [['root', 2], ['env', 3], ['first', 4], ['second', 5]] as const) {
      const t = tempDir(`fmnist-${name}-`);
      cleanups.push(t.cleanup);
      dirs[name] = t.dir;
      writeFiles(t.dir, tinyFiles(n, 1, n), n % 2 === 0); // raw in some, .gz in others
    }
    const empty = tempDir('fmnist-empty-');
    cleanups.push(empty.cleanup);
    dirs.empty = empty.dir;
  });
  afterEach(() => {
    while (cleanups.length) cleanups.pop()!();
  });
  const count = async (opts: Parameters<typeof loadFashionMnist>[0]) => (await loadFashionMnist(opts)).train.count;

  it('an explicit root wins over FASHION_MNIST_DIR and the search dirs', async () => {
    expect(await count({ root: dirs.root, env: { FASHION_MNIST_DIR: dirs.env }, searchDirs: [dirs.first] })).toBe(2);
  });
  it('FASHION_MNIST_DIR comes before the search dirs', async () => {
    expect(await count({ env: { FASHION_MNIST_DIR: dirs.env }, searchDirs: [dirs.first, dirs.second] })).toBe(3);
  });
  it('then the search dirs in order, skipping one without any of the files', async () => {
    expect(await count({ env: {}, searchDirs: [dirs.first, dirs.second] })).toBe(4);
    expect(await count({ env: { FASHION_MNIST_DIR: dirs.empty }, searchDirs: [path.join(dirs.empty, 'nope'), dirs.second, dirs.first] })).toBe(5);
  });
  // Without Debian's copy the default search finds nothing to name (the real-data block above is skipped too).
  it.skipIf(!hasSystemData)('the default search dirs are Debian then ./data/fashion-mnist', async () => {
    expect((await loadFashionMnist({ env: { FASHION_MNIST_DIR: dirs.empty } })).source).toBe(SYSTEM_DATA_DIR);
  });
  it('an explicit root lacking files is an error about that root, even when other dirs are complete', async () => {
    const err = await loadFashionMnist({ root: dirs.empty, env: { FASHION_MNIST_DIR: dirs.env }, searchDirs: [dirs.first] }).catch((e) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe(
      `${dirs.empty}: Fashion-MNIST files missing: ${Object.values(FASHION_MNIST_FILES).join(', ')} (each as NAME or NAME.gz)`,
    );
  });
  it('a search dir with some of the files is reported, not skipped', async () => {
    writeFileSync(path.join(dirs.empty, `${FASHION_MNIST_FILES.testImages}.gz`), gz(tinyFiles(1, 1).testImages));
    const err = await loadFashionMnist({ env: {}, searchDirs: [dirs.empty, dirs.first] }).catch((e) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toMatch(new RegExp(`^${dirs.empty}: Fashion-MNIST files missing: train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-labels-idx1-ubyte`));
  });
  it('nothing anywhere: one error listing every place looked at and every way out', async () => {
    const nowhere = path.join(dirs.empty, 'missing');
    const err = await loadFashionMnist({ env: { FASHION_MNIST_DIR: dirs.empty }, searchDirs: [nowhere, './no/such/dir'] }).catch((e) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe(
      `Fashion-MNIST not found (looked in ${dirs.empty}, ${nowhere}, ./no/such/dir): pass --data DIR, set FASHION_MNIST_DIR, ` +
        'install dataset-fashion-mnist (apt), or run `webgpu-softmax data download`',
    );
  });
  it('NAME.gz is preferred over NAME when both exist', async () => {
    // dirs.root holds raw files of 2 samples; a .gz of 6 samples next to them is the one read.
    const six = tinyFiles(6, 1);
    for (const key of FASHION_MNIST_KEYS) writeFileSync(path.join(dirs.root, `${FASHION_MNIST_FILES[key]}.gz`), gz(six[key]));
    expect(await count({ root: dirs.root })).toBe(6);
  });
  it('loaded pixels and labels are those written', async () => {
    const files = tinyFiles(3, 2, 77);
    mkdirSync(path.join(dirs.empty, 'x'));
    writeFiles(path.join(dirs.empty, 'x'), files, { trainImages: false, testLabels: false });
    const data = await loadFashionMnist({ root: path.join(dirs.empty, 'x') });
    const expected = tinySplit(3, 77);
    expect(data.train.images).toEqual(expected.images);
    expect(data.train.labels).toEqual(expected.labels);
    expect(data.test.images).toEqual(tinySplit(2, 1077).images);
  });
});

describe('decodeFashionMnistFiles in the browser style (DecompressionStream gunzip)', () => {
  it('decodes gzip and raw files alike, names them in errors', async () => {
    const files = tinyFiles(4, 2);
    const mixed = { ...files, trainImages: gz(files.trainImages), testLabels: gz(files.testLabels) };
    const data = await decodeFashionMnistFiles(mixed, (b) => gunzipWeb(b), { source: 'https://example/' });
    expect([data.train.count, data.test.count, data.source]).toEqual([4, 2, 'https://example/']);
    expect(data.train.images).toEqual(tinySplit(4, 1).images);

    const bad = { ...mixed, testLabels: gz(files.trainLabels) }; // 4 labels for 2 images
    await expect(decodeFashionMnistFiles(bad, (b) => gunzipWeb(b))).rejects.toThrow(
      /^t10k-labels-idx1-ubyte\.gz: has 4 labels, more than the 2 images in t10k-images-idx3-ubyte$/,
    );
    const cut = { ...mixed, trainImages: mixed.trainImages.subarray(0, 100) };
    await expect(decodeFashionMnistFiles(cut, (b) => gunzipWeb(b))).rejects.toThrow(/^train-images-idx3-ubyte\.gz: cannot decompress gzip data/);
  });
  it('gunzipWeb stops at its output cap', async () => {
    expect(await gunzipWeb(gz(new Uint8Array(1000)))).toEqual(new Uint8Array(1000));
    await expect(gunzipWeb(gz(new Uint8Array(100_000)), 50_000)).rejects.toThrow(DataError);
  });
});

describe('labels', () => {
  it('CLASS_NAMES are the ten names in label order', () => {
    expect(CLASS_NAMES).toEqual(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
  });
  it('textLabels maps numbers to names and rejects non-classes', () => {
    expect(textLabels([9, 0, 0, 3])).toEqual(['Ankle boot', 'T-shirt/top', 'T-shirt/top', 'Dress']);
    expect(textLabels(Uint8Array.of(8, 7))).toEqual(['Bag', 'Sneaker']);
    expect(textLabels([])).toEqual([]);
    expect(() => textLabels([1, 10])).toThrow(/^label 1 is 10, not a Fashion-MNIST class/);
    expect(() => textLabels([1.5])).toThrow(DataError);
    expect(() => textLabels([-1])).toThrow(DataError);
  });
});

function split(count: number, seed = 5): FashionMnistSplit {
  return { ...tinySplit(count, seed), count, rows: 28, cols: 28 };
}

describe('limitSplit', () => {
  it('takes the first n samples as views', () => {
    const s = split(10);
    const l = limitSplit(s, 3);
    expect([l.count, l.images.length, l.labels.length, l.rows, l.cols]).toEqual([3, 3 * 784, 3, 28, 28]);
    expect(l.images).toEqual(s.images.subarray(0, 3 * 784));
    expect(l.labels).toEqual(s.labels.subarray(0, 3));
    expect(l.images.buffer).toBe(s.images.buffer);
    expect(limitSplit(s, 10).count).toBe(10);
  });
  it('rejects n outside 1..count', () => {
    const s = split(4);
    for (const n of [0, 5, -1, 1.5, Number.NaN]) expect(() => limitSplit(s, n), String(n)).toThrow(DataError);
    expect(() => limitSplit(s, 5)).toThrow(/^cannot take 5 samples of a split of 4: need an integer in 1\.\.4$/);
  });
});

describe('epochOrder', () => {
  const isPermutation = (p: Uint32Array) => Array.from(p).sort((a, b) => a - b).every((v, i) => v === i);
  it('is a permutation, the one the GPU trainer and the reference share', () => {
    const p = epochOrder(1000, 42, 3);
    expect(p.length).toBe(1000);
    expect(isPermutation(p)).toBe(true);
    expect(p).toEqual(new Rng(epochSeed(42, 3)).permutation(1000));
  });
  it('is deterministic per (seed, epoch) and differs between epochs and seeds', () => {
    expect(epochOrder(500, 1, 0)).toEqual(epochOrder(500, 1, 0));
    expect(epochOrder(500, 1, 0)).not.toEqual(epochOrder(500, 1, 1));
    expect(epochOrder(500, 1, 0)).not.toEqual(epochOrder(500, 2, 0));
    expect(Array.from(epochOrder(500, 1, 0))).not.toEqual(Array.from({ length: 500 }, (_, i) => i));
  });
  it('is the identity without shuffle', () => {
    expect(Array.from(epochOrder(5, 9, 9, false))).toEqual([0, 1, 2, 3, 4]);
  });
});

