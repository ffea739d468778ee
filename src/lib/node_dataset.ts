/**
 * Fashion-MNIST from the file system (Node only), the way torchvision's `FashionMNIST(root, train, download)`
 * finds it: an explicit `root` is the only place looked at; without one, $FASHION_MNIST_DIR, then Debian's
 * /usr/share/datasets/fashion-mnist, then ./data/fashion-mnist. `download` fetches the missing files from the
 * official mirror, verifying each one's SHA-256.
 */
import { loadFashionMnist, type OnProgress } from '../data/node.js';
import { FashionMNIST as FashionMNISTBase, type FashionMNISTSplits } from './dataset.js';

/** Where {@link FashionMNIST.load} looks, and whether it may download. */
export interface FashionMNISTOptions {
  /** The directory holding the four files (each as NAME or NAME.gz); the only place looked at when given. */
  root?: string | undefined;
  /** The training split (60,000 images) when true (the default), else the test split (10,000). */
  train?: boolean | undefined;
  /** Download the files into `root` (or $FASHION_MNIST_DIR, or ./data/fashion-mnist) when they are not found. */
  download?: boolean | undefined;
  /** Called with each step of finding, downloading and verifying the files. */
  onProgress?: OnProgress | undefined;
}

/** A Fashion-MNIST split that can also be loaded from disk: `await FashionMNIST.load({ root, train, download })`. */
export class FashionMNIST extends FashionMNISTBase {
  /**
   * One split, as torchvision's `FashionMNIST(root, train=..., download=...)`. Each call reads and decodes the
   * files; {@link FashionMNIST.splits} gives both splits for one read.
   */
  static async load(options: FashionMNISTOptions = {}): Promise<FashionMNIST> {
    const both = await FashionMNIST.splits(options);
    return options.train === false ? both.test : both.train;
  }

  /** Both splits from one read of the files (`train` in `options` is ignored). */
  static async splits(options: Omit<FashionMNISTOptions, 'train'> = {}): Promise<FashionMNISTSplits<FashionMNIST>> {
    const data = await loadFashionMnist({ root: options.root, download: options.download, onProgress: options.onProgress });
    return { train: new FashionMNIST(data.train, true, data.source), test: new FashionMNIST(data.test, false, data.source) };
  }
}
