/**
 * Fashion-MNIST as an object shaped like torchvision's `datasets.FashionMNIST`: `length`, `classes` and
 * `get(i)` giving `{ image, label }`. It is also an `ImageSplit` (u8 `images`, `labels`, `count`), so
 * `train()`, `fit()`, `evaluate()` and the pictures take it as it is, and the GPU path uploads its u8 images
 * once. Browser-safe: this class decodes the four files from bytes; the Node entry's subclass adds
 * `FashionMNIST.load({ root, train, download })`.
 */
import { decodeFashionMnistFiles, FASHION_MNIST_FILES, FASHION_MNIST_KEYS, FASHION_MNIST_SHAPE, type FashionMnist, type FashionMnistFileKey, type Gunzip, gunzipWeb, type ImageShape, type ImageSplit, limitSplit } from '../data/dataset.js';
import { IMAGE_COLS, IMAGE_ROWS } from '../data/idx.js';
import { CLASS_NAMES, type ClassName } from '../data/labels.js';
import { pixelsOf } from '../model/model.js';
import { ArgumentError } from '../errors.js';
import { checkBytes, checkFunction, checkInteger, checkObject, checkSplit, describeValue } from './check.js';

/** One sample, as torchvision's `dataset[i]` gives it (without a transform: raw u8 pixels). */
export interface Sample {
  /** [channels * height * width] u8 pixels, row-major, 0 = background; a view into the dataset (no copy). */
  image: Uint8Array;
  /** The class index, 0..9 (`classes[label]` is its name). */
  label: number;
}

/** The training and test splits of one copy of the dataset. */
export interface FashionMNISTSplits<D extends FashionMNIST = FashionMNIST> {
  /** The training split (60,000 images in the release). */
  train: D;
  /** The test split (10,000 images in the release). */
  test: D;
}

/** One split (training or test) of Fashion-MNIST, in memory as u8. */
export class FashionMNIST implements ImageSplit {
  /** Class names, index = label, as torchvision's `FashionMNIST.classes`. */
  static readonly classes: readonly ClassName[] = CLASS_NAMES;
  /** Class names, index = label. */
  readonly classes: readonly ClassName[] = CLASS_NAMES;
  /** 1 x 28 x 28. */
  readonly shape: ImageShape = FASHION_MNIST_SHAPE;
  /** [count, 784] u8 row-major. */
  readonly images: Uint8Array;
  /** [count] class indices. */
  readonly labels: Uint8Array;
  /** The number of samples. */
  readonly count: number;

  /**
   * Wraps a decoded split (see {@link FashionMNIST.decode} and, in Node, `FashionMNIST.load`).
   * @param split images and labels, already checked by the decoder
   * @param train whether this is the training split (torchvision's `train` flag)
   * @param source where the data came from (a directory, "memory"), for logs
   */
  constructor(
    split: ImageSplit,
    readonly train: boolean,
    readonly source = 'memory',
  ) {
    // 1 x 28 x 28 u8 images, a label under 10 each: what every method here and the models assume.
    const checked = checkSplit('split', split, { shape: FASHION_MNIST_SHAPE, shapeSaid: "(Fashion-MNIST's)" });
    if (typeof train !== 'boolean') throw new ArgumentError(`train must be true (the training split) or false (the test split), not ${describeValue(train)}`);
    this.images = checked.images;
    this.labels = checked.labels;
    this.count = checked.count;
  }

  /** The number of samples, as `len(dataset)`. */
  get length(): number {
    return this.count;
  }

  /** Sample `index` (0-based), as `dataset[index]`: its image (a view) and label. */
  get(index: number): Sample {
    checkInteger('index', index, { min: 0, max: this.count - 1 });
    const pixels = pixelsOf(this.shape);
    return { image: this.images.subarray(index * pixels, (index + 1) * pixels), label: this.labels[index] };
  }

  /** The first `n` samples (views, no copy): what the CLI's `--limit N` trains on. */
  subset(n: number): FashionMNIST {
    checkInteger('n', n, { min: 1, max: this.count });
    const first = limitSplit({ images: this.images, labels: this.labels, count: this.count, rows: IMAGE_ROWS, cols: IMAGE_COLS }, n);
    return new (this.constructor as typeof FashionMNIST)(first, this.train, this.source);
  }

  /**
   * Decodes the four files of the release (each raw or gzipped, e.g. from a file picker or `fetch`) into both
   * splits. Every file is checked (magic, element type, dimensions, sizes, labels); a bad one is a DataError
   * naming it.
   * @param files the bytes of train-images, train-labels, t10k-images and t10k-labels
   * @param gunzip how to decompress `.gz` bytes; default the web-standard DecompressionStream
   */
  static async decode(files: Record<FashionMnistFileKey, Uint8Array>, gunzip: Gunzip = gunzipWeb): Promise<FashionMNISTSplits> {
    const given = checkObject('files', files, 'the four files { trainImages, trainLabels, testImages, testLabels } as Uint8Arrays');
    for (const key of FASHION_MNIST_KEYS) checkBytes(`files.${key}`, given[key], `the bytes of ${FASHION_MNIST_FILES[key]} (raw or gzipped)`);
    checkFunction('gunzip', gunzip);
    return FashionMNIST.fromDecoded(await decodeFashionMnistFiles(files, gunzip));
  }

  /** Both splits of an already decoded dataset. */
  static fromDecoded(data: FashionMnist): FashionMNISTSplits {
    return { train: new FashionMNIST(data.train, true, data.source), test: new FashionMNIST(data.test, false, data.source) };
  }
}
