/**
 * What every contender of `npm run bench` implements: ours (WGSL through WebGPU) and the peers (tfjs, PyTorch).
 * The model and hyper-parameters are fixed by the benchmark: softmax regression 784 -> 10, W ~ N(0, 0.01^2),
 * b = 0, mean cross-entropy, plain SGD, minibatches of a fresh permutation every epoch (last batch partial).
 */

export interface EpochResult {
  /** Wall time of the epoch (performance.now), ending after a sync so that no queued GPU work is left. */
  seconds: number;
  /** Mean cross-entropy over the epoch's samples, each taken at the weights its minibatch saw (as d2l does). */
  loss: number;
  /** Fraction of the epoch's samples classified right by the same forward passes. */
  trainAccuracy: number;
}

export interface BenchData {
  /** [count, 784] u8 pixels, row-major; the first trainCount / testCount rows are used. */
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
  trainCount: number;
  testCount: number;
  seed: number;
  batchSize: number;
  lr: number;
}

export interface Contender {
  /** e.g. 'tfjs-webgpu (custom loop)'. */
  name: string;
  /** Uploads the data and builds the model; not timed. */
  setup(data: BenchData): Promise<void>;
  /** One shuffled epoch, timed inside the contender. `epoch` counts from 0 and seeds the shuffle. */
  trainEpoch(epoch: number): Promise<EpochResult>;
  testAccuracy(): Promise<number>;
  dispose(): Promise<void>;
  /** What it ran on, known after setup: GPU adapter, wasm flavour, BLAS... */
  adapter?: string;
  /** Caveats for the table, e.g. why the contender was skipped. */
  notes?: string;
  /** Set (instead of throwing) by setup when the contender cannot run here; the driver lists it as skipped. */
  skipped?: boolean;
}

import { loadFashionMnist, type LoadOptions } from '../../src/data/node.js';

export const IMAGE_SIZE = 784;
export const CLASSES = 10;

/** The benchmark's defaults (the d2l chapter's hyper-parameters). */
export const BENCH_DEFAULTS = { seed: 42, batchSize: 256, lr: 0.1 } as const;

export type BenchDataOptions = Partial<Pick<BenchData, 'trainCount' | 'testCount' | 'seed' | 'batchSize' | 'lr'>> &
  Pick<LoadOptions, 'root'>;

/** Fashion-MNIST through the project's loader (Debian's files, $FASHION_MNIST_DIR, ./data...) plus the settings. */
export async function loadBenchData(opts: BenchDataOptions = {}): Promise<BenchData> {
  const { train, test } = await loadFashionMnist({ root: opts.root });
  return {
    trainImages: train.images,
    trainLabels: train.labels,
    testImages: test.images,
    testLabels: test.labels,
    trainCount: Math.min(opts.trainCount ?? train.count, train.count),
    testCount: Math.min(opts.testCount ?? test.count, test.count),
    seed: opts.seed ?? BENCH_DEFAULTS.seed,
    batchSize: opts.batchSize ?? BENCH_DEFAULTS.batchSize,
    lr: opts.lr ?? BENCH_DEFAULTS.lr,
  };
}

/** The one-line JSON a peer process prints (run-peer.ts, pytorch_softmax.py). */
export interface PeerReport {
  name: string;
  epochs: EpochResult[];
  testAccuracy: number;
  adapter: string | null;
  /** Peak resident set size of the peer's process, MiB. */
  rssMB: number;
  notes?: string;
  skipped?: boolean;
}

/** Peak RSS of this process in MiB (maxRSS is in KiB on Linux). */
export function peakRssMB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
