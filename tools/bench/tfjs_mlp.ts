/**
 * TensorFlow.js 4.22 peer of the MLP section (`npm run bench -- --model mlp`): d2l 4.3's 784-256-10 MLP written the way
 * a tfjs user would (tf.variableGrads, tf.train.sgd, a custom loop), on the webgpu backend over the same dawn.node
 * adapter as ours. Weights N(0, 0.01²) drawn from our seeded generator, our shuffles; run in its own process
 * (run-mlp-peer.ts), like the softmax peers.
 */
import * as tf from '@tensorflow/tfjs';
import { epochSeed, Rng } from '../../src/random.js';
import { CLASSES, IMAGE_SIZE, type BenchData, type Contender, type EpochResult } from './contender.js';
import { activateBackend, toUnitFloats, type TfjsBackendName } from './tfjs.js';

export class TfjsMlpContender implements Contender {
  readonly name: string;
  adapter?: string;
  notes?: string;
  private data!: BenchData;
  private blocks: Array<{ start: number; rows: number; x: tf.Tensor2D }> = [];
  private yTrain!: tf.Tensor1D;
  private xTest!: tf.Tensor2D;
  private yTest!: tf.Tensor1D;
  private params: tf.Variable[] = [];
  private optimizer!: tf.SGDOptimizer;
  private lossSum!: tf.Variable;
  private correct!: tf.Variable;

  constructor(
    private readonly backend: TfjsBackendName,
    private readonly hidden = 256,
  ) {
    this.name = `tfjs-${backend} mlp (custom loop)`;
  }

  async setup(data: BenchData): Promise<void> {
    this.data = data;
    const active = await activateBackend(this.backend);
    this.adapter = active.adapter;
    tf.enableProdMode();
    const pixels = toUnitFloats(data.trainImages, data.trainCount);
    // 60000 x 784 f32 is past lavapipe's 128 MiB binding: the set is held in blocks, as tfjs.ts does.
    const blockRows = Math.min(data.trainCount, Math.floor(active.maxBindingBytes / (IMAGE_SIZE * 4)));
    for (let start = 0; start < data.trainCount; start += blockRows) {
      const rows = Math.min(blockRows, data.trainCount - start);
      this.blocks.push({ start, rows, x: tf.tensor2d(pixels.subarray(start * IMAGE_SIZE, (start + rows) * IMAGE_SIZE), [rows, IMAGE_SIZE]) });
    }
    this.yTrain = tf.tensor1d(Int32Array.from(data.trainLabels.subarray(0, data.trainCount)), 'int32');
    this.xTest = tf.tensor2d(toUnitFloats(data.testImages, data.testCount), [data.testCount, IMAGE_SIZE]);
    this.yTest = tf.tensor1d(Int32Array.from(data.testLabels.subarray(0, data.testCount)), 'int32');
    const rng = new Rng(data.seed);
    const H = this.hidden;
    this.params = [
      tf.variable(tf.tensor2d(rng.fillNormal(new Float32Array(IMAGE_SIZE * H), 0, 0.01), [IMAGE_SIZE, H]), true, 'W1'),
      tf.variable(tf.zeros([H]), true, 'b1'),
      tf.variable(tf.tensor2d(rng.fillNormal(new Float32Array(H * CLASSES), 0, 0.01), [H, CLASSES]), true, 'W2'),
      tf.variable(tf.zeros([CLASSES]), true, 'b2'),
    ];
    this.optimizer = tf.train.sgd(data.lr);
    this.lossSum = tf.variable(tf.scalar(0), false, 'lossSum');
    this.correct = tf.variable(tf.scalar(0), false, 'correct');
    for (const x of [...this.blocks.map((b) => b.x), this.xTest]) {
      const s = tf.sum(x);
      await s.data();
      s.dispose();
    }
  }

  private net(x: tf.Tensor): tf.Tensor {
    const [W1, b1, W2, b2] = this.params;
    return tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, W1), b1)), W2), b2);
  }

  private gatherRows(indices: tf.Tensor1D): tf.Tensor {
    if (this.blocks.length === 1) return tf.gather(this.blocks[0].x, indices);
    let out: tf.Tensor | undefined;
    for (const { start, rows, x } of this.blocks) {
      const local = tf.cast(tf.clipByValue(tf.sub(indices, start), 0, rows - 1), 'int32');
      const block = tf.gather(x, local);
      const inBlock = tf.reshape(tf.greaterEqual(indices, start), [-1, 1]);
      out = out ? tf.where(inBlock, block, out) : block;
    }
    return out!;
  }

  async trainEpoch(epoch: number): Promise<EpochResult> {
    const { trainCount, batchSize, seed } = this.data;
    const start = performance.now();
    tf.tidy(() => {
      this.lossSum.assign(tf.scalar(0));
      this.correct.assign(tf.scalar(0));
    });
    const order = new Int32Array(new Rng(epochSeed(seed, epoch)).permutation(trainCount).buffer);
    for (let i = 0; i < trainCount; i += batchSize) {
      const idx = order.subarray(i, Math.min(i + batchSize, trainCount));
      tf.tidy(() => {
        const indices = tf.tensor1d(idx, 'int32');
        const x = this.gatherRows(indices);
        const y = tf.gather(this.yTrain, indices);
        const forward: { logits?: tf.Tensor } = {};
        const { value, grads } = tf.variableGrads(() => {
          forward.logits = tf.keep(this.net(x));
          return tf.losses.softmaxCrossEntropy(tf.oneHot(y, CLASSES), forward.logits) as tf.Scalar;
        }, this.params);
        this.optimizer.applyGradients(grads);
        const hits = tf.sum(tf.cast(tf.equal(tf.argMax(forward.logits!, 1), y), 'float32'));
        this.lossSum.assign(tf.add(this.lossSum, tf.mul(value, idx.length)));
        this.correct.assign(tf.add(this.correct, hits));
        forward.logits!.dispose();
      });
    }
    const [loss, correct] = await Promise.all([this.lossSum.data(), this.correct.data()]);
    return { seconds: (performance.now() - start) / 1000, loss: loss[0] / trainCount, trainAccuracy: correct[0] / trainCount };
  }

  async testAccuracy(): Promise<number> {
    const hits = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(this.net(this.xTest), 1), this.yTest), 'float32')));
    const [n] = await hits.data();
    hits.dispose();
    return n / this.data.testCount;
  }

  async dispose(): Promise<void> {
    tf.dispose([...this.blocks.map((b) => b.x), this.yTrain, this.xTest, this.yTest]);
    tf.disposeVariables();
    this.optimizer?.dispose();
  }
}
