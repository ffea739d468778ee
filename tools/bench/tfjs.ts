/**
 * TensorFlow.js 4.22 peers: the same softmax regression written the way a tfjs user would (autodiff through
 * tf.variableGrads, tf.train.sgd), on the webgpu backend (the same dawn.node as ours) or the wasm backend.
 * Only one tfjs backend should be active per process (they share one engine and its tensors), so run-peer.ts
 * runs each in its own child process.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
// The union package, not bare tfjs-core: core's Node bundle registers no gradients (variableGrads fails with
// "gradient function not found"), and core's ESM files use extensionless imports that Node cannot load.
import * as tf from '@tensorflow/tfjs';
import { epochSeed, Rng } from '../../src/random.js';
import { CLASSES, IMAGE_SIZE, type BenchData, type Contender, type EpochResult } from './contender.js';
import { installNodeWebGpu, type NodeWebGpu } from './node_webgpu.js';

export type TfjsBackendName = 'webgpu' | 'wasm';

/** What a backend runs on; maxBindingBytes is Infinity for wasm. */
type ActiveBackend = NodeWebGpu;

/** Activates a tfjs backend in this process; returns what it runs on. */
export async function activateBackend(backend: TfjsBackendName): Promise<ActiveBackend> {
  let active: ActiveBackend;
  if (backend === 'webgpu') {
    active = await installNodeWebGpu();
    // Imported only now: the module registers 'webgpu' at import time, and only if navigator.gpu exists.
    await import('@tensorflow/tfjs-backend-webgpu');
  } else {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The .wasm files sit next to the package's node bundle; a plain path prefix works in Node because
    // Emscripten reads the binary with fs there (no fetch).
    const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
    wasm.setWasmPaths(join(dirname(pkg), 'dist') + '/');
    active = { adapter: 'wasm', maxBindingBytes: Infinity };
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs could not initialise its ${backend} backend`);
  await tf.ready();
  if (backend === 'wasm') {
    // Node gets the single-threaded build (tfjs disables wasm threads in Node); say whether SIMD is on.
    active.adapter += (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? ' simd, 1 thread' : ' (no simd), 1 thread';
  }
  return active;
}

/** Pixels as float32 in [0, 1], like d2l's ToTensor. */
export function toUnitFloats(images: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count * IMAGE_SIZE);
  for (let i = 0; i < out.length; i++) out[i] = images[i] / 255;
  return out;
}

export class TfjsContender implements Contender {
  readonly name: string;
  adapter?: string;
  notes?: string;

  private data!: BenchData;
  /** Training images in row blocks, each small enough to bind (see gatherRows). */
  private xTrain: Array<{ start: number; rows: number; x: tf.Tensor2D }> = [];
  private yTrain!: tf.Tensor1D;
  private xTest!: tf.Tensor2D;
  private yTest!: tf.Tensor1D;
  private w!: tf.Variable;
  private b!: tf.Variable;
  private optimizer!: tf.SGDOptimizer;
  // Epoch sums kept on the device so that an epoch reads back two scalars, once.
  private lossSum!: tf.Variable;
  private correct!: tf.Variable;

  constructor(private readonly backend: TfjsBackendName) {
    this.name = `tfjs-${backend} (custom loop)`;
  }

  async setup(data: BenchData): Promise<void> {
    this.data = data;
    const active = await activateBackend(this.backend);
    this.adapter = active.adapter;
    tf.enableProdMode();
    const { trainCount, testCount } = data;
    const pixels = toUnitFloats(data.trainImages, trainCount);
    const blockRows = Math.min(trainCount, Math.floor(active.maxBindingBytes / (IMAGE_SIZE * 4)));
    for (let start = 0; start < trainCount; start += blockRows) {
      const rows = Math.min(blockRows, trainCount - start);
      const x = tf.tensor2d(pixels.subarray(start * IMAGE_SIZE, (start + rows) * IMAGE_SIZE), [rows, IMAGE_SIZE]);
      this.xTrain.push({ start, rows, x });
    }
    if (this.xTrain.length > 1) {
      this.notes =
        `training images held as ${this.xTrain.length} tensors: ${trainCount}x784 f32 exceeds the adapter's ` +
        `${active.maxBindingBytes / 2 ** 20} MiB storage binding limit, so each batch gathers from every block`;
    }
    this.yTrain = tf.tensor1d(Int32Array.from(data.trainLabels.subarray(0, trainCount)), 'int32');
    this.xTest = tf.tensor2d(toUnitFloats(data.testImages, testCount), [testCount, IMAGE_SIZE]);
    this.yTest = tf.tensor1d(Int32Array.from(data.testLabels.subarray(0, testCount)), 'int32');
    // Drawn as src/model/parameters.ts does, and shuffled as src/data/minibatches.ts does: for one seed the tfjs
    // peers start from our weights and see our minibatches.
    const w0 = new Rng(data.seed).fillNormal(new Float32Array(IMAGE_SIZE * CLASSES), 0, 0.01);
    this.w = tf.variable(tf.tensor2d(w0, [IMAGE_SIZE, CLASSES]), true, 'W');
    this.b = tf.variable(tf.zeros([CLASSES]), true, 'b');
    this.optimizer = tf.train.sgd(data.lr);
    this.lossSum = tf.variable(tf.scalar(0), false, 'lossSum');
    this.correct = tf.variable(tf.scalar(0), false, 'correct');
    // Move the data to the backend now (tfjs uploads lazily, on first use) so that setup, not epoch 0, pays.
    // Async reads only: webgpu's dataSync needs OffscreenCanvas, which Node lacks.
    for (const x of [...this.xTrain.map((c) => c.x), this.xTest]) {
      const s = tf.sum(x);
      await s.data();
      s.dispose();
    }
  }

  /**
   * Rows `indices` of the training images. Normally one tf.gather; when the set is split in blocks (lavapipe binds
   * at most 128 MiB, the f32 set is 180 MiB) every block is gathered with clamped indices and tf.where keeps the
   * rows that really come from it: fixed shapes, so no shader recompiles, at the price of extra gathers.
   */
  private gatherRows(indices: tf.Tensor1D): tf.Tensor {
    let out: tf.Tensor | undefined;
    for (const { start, rows, x } of this.xTrain) {
      if (this.xTrain.length === 1) return tf.gather(x, indices);
      // tfjs promotes int32 - number to float32; row numbers < 2^24 survive the round trip exactly.
      const local = tf.cast(tf.clipByValue(tf.sub(indices, start), 0, rows - 1), 'int32');
      const block = tf.gather(x, local);
      const inBlock = tf.reshape(tf.greaterEqual(indices, start), [-1, 1]);
      out = out ? tf.where(inBlock, block, out) : block;
    }
    return out!;
  }

  /** One SGD step on the rows `idx`; adds the batch's loss sum and correct count to the epoch sums. */
  private step(idx: Int32Array): void {
    tf.tidy(() => {
      const indices = tf.tensor1d(idx, 'int32');
      const x = this.gatherRows(indices);
      const y = tf.gather(this.yTrain, indices);
      const forward: { logits?: tf.Tensor } = {};
      const { value, grads } = tf.variableGrads(() => {
        // Kept so that accuracy uses this very forward pass (variableGrads disposes what f creates).
        forward.logits = tf.keep(tf.add(tf.matMul(x, this.w), this.b));
        return tf.losses.softmaxCrossEntropy(tf.oneHot(y, CLASSES), forward.logits) as tf.Scalar; // batch mean
      }, [this.w, this.b]);
      this.optimizer.applyGradients(grads);
      const logits = forward.logits!;
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'));
      this.lossSum.assign(tf.add(this.lossSum, tf.mul(value, idx.length)));
      this.correct.assign(tf.add(this.correct, hits));
      logits.dispose();
    });
  }

  async trainEpoch(epoch: number): Promise<EpochResult> {
    const { trainCount, batchSize, seed } = this.data;
    const start = performance.now();
    tf.tidy(() => {
      this.lossSum.assign(tf.scalar(0));
      this.correct.assign(tf.scalar(0));
    });
    const perm = new Rng(epochSeed(seed, epoch)).permutation(trainCount);
    const order = new Int32Array(perm.buffer); // indices < 2^31: same bits
    for (let i = 0; i < trainCount; i += batchSize) this.step(order.subarray(i, Math.min(i + batchSize, trainCount)));
    // Reading the sums waits for every queued step (the GPU queue runs in order).
    const [loss, correct] = await Promise.all([this.lossSum.data(), this.correct.data()]);
    const seconds = (performance.now() - start) / 1000;
    return { seconds, loss: loss[0] / trainCount, trainAccuracy: correct[0] / trainCount };
  }

  async testAccuracy(): Promise<number> {
    const hits = tf.tidy(() => {
      const logits = tf.add(tf.matMul(this.xTest, this.w), this.b);
      return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), this.yTest), 'float32'));
    });
    const [n] = await hits.data();
    hits.dispose();
    return n / this.data.testCount;
  }

  async dispose(): Promise<void> {
    tf.dispose([...this.xTrain.map((c) => c.x), this.yTrain, this.xTest, this.yTest]);
    tf.disposeVariables();
    this.optimizer?.dispose();
  }
}
