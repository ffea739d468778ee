/**
 * The Fashion-MNIST dataset as in-memory u8 arrays, and decoding of its four files. Browser-safe: the
 * caller supplies the bytes and a gunzip function (zlib in Node, DecompressionStream in the browser).
 */
import { DataError } from '../errors.js';
import { CLASS_NAMES } from './labels.js';
import { checkImagesLabels, IMAGE_COLS, IMAGE_PIXELS, IMAGE_ROWS, isGzip, parseIdx, type IdxArray } from './idx.js';

/** The shape of one image: channels x height x width, stored row-major per channel as u8. */
export interface ImageShape {
  /** Channels per image (1 for greyscale). */
  channels: number;
  /** Rows of pixels. */
  height: number;
  /** Columns of pixels. */
  width: number;
}

/** Images with labels, the one split type every layer uses: what a model trains and is evaluated on. */
export interface ImageSplit {
  /** [count, channels * height * width] u8 row-major */
  images: Uint8Array;
  /** [count] class index */
  labels: Uint8Array;
  /** The number of images (and labels). */
  count: number;
}

/** Fashion-MNIST's images: 1 x 28 x 28 greyscale. */
export const FASHION_MNIST_SHAPE: ImageShape = { channels: 1, height: IMAGE_ROWS, width: IMAGE_COLS };
/** Fashion-MNIST's class count, from its list of names. */
export const FASHION_MNIST_CLASSES = CLASS_NAMES.length;

/** One split of Fashion-MNIST as decoded: 28 x 28 u8 images and their labels. */
export interface FashionMnistSplit extends ImageSplit {
  /** [count, 784] u8 row-major, pixel 0..255 */
  images: Uint8Array;
  /** [count] class index 0..9 */
  labels: Uint8Array;
  /** The number of images (and labels). */
  count: number;
  /** Rows of pixels per image. */
  rows: 28;
  /** Columns of pixels per image. */
  cols: 28;
}

/** Both splits of Fashion-MNIST as decoded, and where they came from. */
export interface FashionMnist {
  /** The 60,000 training images. */
  train: FashionMnistSplit;
  /** The 10,000 test images. */
  test: FashionMnistSplit;
  /** Where it came from (a directory, a URL), for logs and `info`. */
  source: string;
}

/** Base names of the four files of the release (stored as NAME or NAME.gz). */
export const FASHION_MNIST_FILES = {
  /** Training images. */
  trainImages: 'train-images-idx3-ubyte',
  /** Training labels. */
  trainLabels: 'train-labels-idx1-ubyte',
  /** Test images. */
  testImages: 't10k-images-idx3-ubyte',
  /** Test labels. */
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** A key of FASHION_MNIST_FILES: 'trainImages', 'trainLabels', 'testImages' or 'testLabels'. */
export type FashionMnistFileKey = keyof typeof FASHION_MNIST_FILES;
export const FASHION_MNIST_KEYS = Object.keys(FASHION_MNIST_FILES) as FashionMnistFileKey[];

/** A file's expected size and SHA-256, both of its decompressed bytes. */
export interface FileDigest {
  /** hex, of the DECOMPRESSED file */
  sha256: string;
  /** size of the decompressed file */
  bytes: number;
}

/**
 * Digests of the decompressed files. The decompressed bytes are what is checked because mirrors and
 * Debian wrap the same IDX data in different .gz files (different headers, timestamps, levels).
 */
export const FASHION_MNIST_DIGESTS: Record<FashionMnistFileKey, FileDigest> = {
  trainImages: { bytes: 47040016, sha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888' },
  trainLabels: { bytes: 60008, sha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9' },
  testImages: { bytes: 7840016, sha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b' },
  testLabels: { bytes: 10008, sha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34' },
};

/**
 * Largest file accepted, compressed or not. The real train images are 47 MB; the cap keeps a wrong path
 * (a disk image, a gzip bomb) from exhausting memory before the header check could reject it.
 */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** Decompresses gzip bytes: gunzipWeb (DecompressionStream) in a browser, gunzipNode (zlib) in Node. */
export type Gunzip = (bytes: Uint8Array) => Promise<Uint8Array>;

/** The first `n` samples of a split, as views (no copy). */
export function limitSplit(split: FashionMnistSplit, n: number): FashionMnistSplit {
  if (!Number.isInteger(n) || n < 1 || n > split.count) {
    throw new DataError(`cannot take ${n} samples of a split of ${split.count}: need an integer in 1..${split.count}`);
  }
  return {
    images: split.images.subarray(0, n * IMAGE_PIXELS), // [n, 784]
    labels: split.labels.subarray(0, n), // [n]
    count: n,
    rows: IMAGE_ROWS,
    cols: IMAGE_COLS,
  };
}

/**
 * Gunzips `bytes` if they carry the gzip magic, then parses them as IDX. Errors of either step are
 * DataErrors naming `fileName`, whatever the gunzip implementation throws.
 */
export async function decodeIdx(bytes: Uint8Array, fileName: string, gunzip: Gunzip, expectedRank?: number): Promise<IdxArray> {
  if (bytes.length === 0) throw new DataError(`${fileName}: empty file`);
  let raw = bytes;
  if (isGzip(bytes)) {
    try {
      raw = await gunzip(bytes);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new DataError(`${fileName}: cannot decompress gzip data (${why})`, { cause: err });
    }
  }
  return parseIdx(raw, fileName, { expectedRank });
}

/** Options of decodeFashionMnistFiles. */
export interface DecodeOptions {
  /** Names to use in errors (e.g. full paths); default: the base name, plus `.gz` when the bytes are gzip. */
  names?: Partial<Record<FashionMnistFileKey, string>> | undefined;
  /** Where the bytes came from (a directory, a URL), kept as the result's `source`; default "memory". */
  source?: string | undefined;
}

/** Decodes the four files (each raw or gzip) into checked train and test splits. */
export async function decodeFashionMnistFiles(
  files: Record<FashionMnistFileKey, Uint8Array>,
  gunzip: Gunzip,
  opts: DecodeOptions = {},
): Promise<FashionMnist> {
  const name = (key: FashionMnistFileKey): string =>
    opts.names?.[key] ?? FASHION_MNIST_FILES[key] + (isGzip(files[key]) ? '.gz' : '');
  const split = async (imagesKey: FashionMnistFileKey, labelsKey: FashionMnistFileKey): Promise<FashionMnistSplit> => {
    const images = await decodeIdx(files[imagesKey], name(imagesKey), gunzip, 3);
    const labels = await decodeIdx(files[labelsKey], name(labelsKey), gunzip, 1);
    const checked = checkImagesLabels(images, labels, name(imagesKey), name(labelsKey));
    return { ...checked, rows: IMAGE_ROWS, cols: IMAGE_COLS };
  };
  const train = await split('trainImages', 'trainLabels');
  const test = await split('testImages', 'testLabels');
  return { train, test, source: opts.source ?? 'memory' };
}

/**
 * Gunzip with the web-standard DecompressionStream (browsers; Node >= 18 too). Stops at `maxBytes` of
 * output so a gzip bomb fails instead of filling memory.
 */
export async function gunzipWeb(bytes: Uint8Array, maxBytes = MAX_FILE_BYTES): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      throw new DataError(`gzip data expands to more than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/**
 * Everything that describes Fashion-MNIST, in one place: its files and their digests, its class names and image
 * shape, where it is looked for, and where it is downloaded from. The loader, the download, the dev server and
 * the models derive from this; nothing else spells out 784, 10 or 28.
 */
export const FASHION_MNIST = {
  name: 'Fashion-MNIST',
  files: FASHION_MNIST_FILES,
  digests: FASHION_MNIST_DIGESTS,
  classes: CLASS_NAMES,
  shape: FASHION_MNIST_SHAPE,
  /** The environment variable naming a directory searched first. */
  envVar: 'FASHION_MNIST_DIR',
  /** Searched in this order after $FASHION_MNIST_DIR: Debian's dataset-fashion-mnist, then a download's place. */
  searchDirs: ['/usr/share/datasets/fashion-mnist', './data/fashion-mnist'],
  /** The official mirror (files NAME.gz). */
  mirror: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
} as const;
