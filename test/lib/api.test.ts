/**
 * The library's own additions, without a GPU: the torchvision-shaped dataset object (decoded from bytes in memory
 * and loaded from a directory, gzipped or not) and the checks `fit` and `predict` make before any GPU work.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ArgumentError, CLASS_NAMES, FashionMNIST as BrowserFashionMNIST, fit, type FitOptions, type Gpu, predict, scratchModel, fashionMnistSpec, UsageError } from '../../src/index.js';
import { FashionMNIST } from '../../src/node.js';
import { gz, tempDir, tinyFiles, tinySplit, writeFiles } from '../data/helpers.js';

/** Never touched: every case below must fail before any GPU call. */
const NO_GPU = new Proxy({}, { get: (_, key) => { throw new Error(`the GPU was used (${String(key)})`); } }) as Gpu;

describe('FashionMNIST', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  it('decodes both splits from the bytes of the four files, gzipped or raw, and gives samples as torchvision does', async () => {
    const files = tinyFiles(5, 3, 7);
    const { train, test } = await BrowserFashionMNIST.decode({ ...files, trainImages: gz(files.trainImages) });
    expect([train.length, test.length, train.train, test.train]).toEqual([5, 3, true, false]);
    expect(train.classes).toEqual(CLASS_NAMES);
    expect(BrowserFashionMNIST.classes).toEqual(CLASS_NAMES);
    const expected = tinySplit(5, 7);
    const { image, label } = train.get(4);
    expect(image).toEqual(expected.images.subarray(4 * 784, 5 * 784));
    expect(label).toBe(expected.labels[4]);
    expect(() => train.get(5)).toThrow(ArgumentError);
    expect(() => train.get(-1)).toThrow(/index must be an integer in 0\.\.4, not -1/);
    const first = train.subset(2);
    expect([first.length, first.count, first.images.length, first.train]).toEqual([2, 2, 2 * 784, true]);
    expect(first.get(1).image).toEqual(train.get(1).image);
    expect(() => train.subset(6)).toThrow(/n must be an integer in 1\.\.5, not 6/);
  });

  it('loads one split or both from a directory (torchvision: FashionMNIST(root, train))', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    writeFiles(dir, tinyFiles(4, 2, 3), { trainImages: false });
    const train = await FashionMNIST.load({ root: dir });
    const test = await FashionMNIST.load({ root: dir, train: false });
    expect([train.length, test.length, train.source]).toEqual([4, 2, dir]);
    expect(train).toBeInstanceOf(BrowserFashionMNIST);
    expect(train.subset(1)).toBeInstanceOf(FashionMNIST);
    const both = await FashionMNIST.splits({ root: dir });
    expect(both.test.get(1)).toEqual(test.get(1));
  });

  it('names the missing files of an empty root', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    await expect(FashionMNIST.load({ root: dir })).rejects.toThrow(/Fashion-MNIST files missing: train-images-idx3-ubyte/);
  });
});

describe('fit and predict check their input before any GPU work', () => {
  const data = async () => BrowserFashionMNIST.decode(tinyFiles(10, 4, 1));

  const cases: Array<[string, FitOptions, RegExp]> = [
    ['epochs 0', { epochs: 0 }, /options\.epochs must be an integer in 1\.\.100000, not 0/],
    ['a fractional batch', { batchSize: 2.5 }, /batchSize must be an integer/],
    ['a negative lr', { lr: -1 }, /options\.lr must be a finite number greater than 0 .*not -1$/],
    ['a limit past the split', { limit: 11 }, /options\.limit must be an integer in 1\.\.10, not 11/],
    ['a batch larger than the split', { batchSize: 20 }, /options\.batchSize 20 is larger than the 10 training samples/],
    ['a batch larger than the limit', { limit: 3, batchSize: 4 }, /batchSize 4 is larger than the 3 training samples/],
    ['an unknown model', { model: 'resnet' }, /options\.model must be one of scratch, concise, .* or a model spec, not the string "resnet"/],
    ["an option the model does not read", { modelOptions: { hidden: 3 } }, /model scratch takes no option modelOptions\.hidden/],
    ['params of the wrong shapes', { params: { W: { shape: [784, 10], data: new Float32Array(7840) } } }, /options\.params: b does not match model scratch \(W: \[784, 10\], b: \[10\]\)/],
  ];
  it.each(cases)('%s', async (_, options, message) => {
    const { train, test } = await data();
    const run = fit(NO_GPU, { train, test }, { batchSize: 5, ...options });
    await expect(run).rejects.toThrow(message);
    await expect(run).rejects.toBeInstanceOf(UsageError);
  });

  it('a spec with modelOptions is refused: the spec holds its options', async () => {
    const { train, test } = await data();
    await expect(fit(NO_GPU, { train, test }, { model: fashionMnistSpec('scratch'), modelOptions: { kernels: 'fused' } })).rejects.toThrow(/options\.modelOptions goes with a model kind/);
  });

  it('predict wants whole images', async () => {
    const spec = fashionMnistSpec('scratch');
    const model = { params: scratchModel.init(spec, 0), meta: { model: spec, epoch: 0, config: { lr: 0.1, batchSize: 256, seed: 0, epochs: 1, limit: null }, history: [], test: null } };
    await expect(predict(NO_GPU, model, new Uint8Array(783))).rejects.toThrow(/images holds 783 bytes, not a whole number of the model's 1x28x28 \(784-pixel\) images/);
    await expect(predict(NO_GPU, model, new Uint8Array(0))).rejects.toThrow(UsageError);
  });
});
