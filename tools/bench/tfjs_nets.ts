/**
 * TensorFlow.js 4.22 peer of the MLP and LeNet sections (`npm run bench -- --model mlp`, `-- lenet`): the network
 * written the way a tfjs user would (tf.variableGrads, tf.train.sgd, a custom loop), on the webgpu backend over
 * the same dawn.node adapter as ours, with our shuffles; run in its own process (run-net-peer.ts), like the
 * softmax peers. The networks (TfjsNet):
 *   mlp: d2l 4.3's 784-256-10 MLP, weights N(0, 0.01²) from our seeded generator;
 *   lenet: d2l 6.6's LeNet (tf.conv2d, tf.avgPool / tf.maxPool, sigmoid or ReLU), our lenetInit's Xavier-uniform
 *   weights, the conv kernels moved to tfjs's [kh, kw, in, out] and the pooled maps flattened channel-first as ours.
 */
import * as tf from '@tensorflow/tfjs';
import { lenetInit, lenetShapes } from '../../src/model/lenet.js';
import { lenetDims } from '../../src/model/lenet_shape.js';
import type { ModelSpec } from '../../src/model/model.js';
import { epochSeed, Rng } from '../../src/random.js';
import { CLASSES, IMAGE_SIZE, type BenchData, type Contender, type EpochResult } from './contender.js';
import { activateBackend, toUnitFloats, type TfjsBackendName } from './tfjs.js';

/** A network for TfjsNetContender: its name, its variables (from the bench's seed) and its forward pass on x [B, 784]. */
export interface TfjsNet {
  name: string;
  params(seed: number): tf.Variable[];
  forward(x: tf.Tensor, params: tf.Variable[]): tf.Tensor;
}

/** d2l 4.3's MLP, one hidden layer of `hidden` ReLUs. */
export function mlpNet(hidden = 256): TfjsNet {
  return {
    name: 'mlp',
    params(seed) {
      const rng = new Rng(seed);
      return [
        tf.variable(tf.tensor2d(rng.fillNormal(new Float32Array(IMAGE_SIZE * hidden), 0, 0.01), [IMAGE_SIZE, hidden]), true, 'W1'),
        tf.variable(tf.zeros([hidden]), true, 'b1'),
        tf.variable(tf.tensor2d(rng.fillNormal(new Float32Array(hidden * CLASSES), 0, 0.01), [hidden, CLASSES]), true, 'W2'),
        tf.variable(tf.zeros([CLASSES]), true, 'b2'),
      ];
    },
    forward(x, [W1, b1, W2, b2]) {
      return tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, W1), b1)), W2), b2);
    },
  };
}

/** d2l 6.6's LeNet on 1x28x28 images: `activation` sigmoid or relu, `pool` avg or max. */
export function lenetNet(activation: string, pool: string): TfjsNet {
  const spec: ModelSpec = { kind: 'lenet', input: { channels: 1, height: 28, width: 28 }, classes: CLASSES, options: { activation, pool } };
  const { input } = spec;
  const { flat } = lenetDims(spec);
  const act = (t: tf.Tensor) => (activation === 'relu' ? tf.relu(t) : tf.sigmoid(t));
  const pool2 = (t: tf.Tensor4D) => (pool === 'max' ? tf.maxPool(t, 2, 2, 'valid') : tf.avgPool(t, 2, 2, 'valid'));
  return {
    name: `lenet (${activation}, ${pool}-pool)`,
    params(seed) {
      const p = lenetInit(spec, seed);
      return Object.entries(lenetShapes(spec)).map(([name, shape]) => {
        const t = tf.tensor(p[name].data, [...shape]);
        // [out, in, kh, kw] (PyTorch's, ours) -> [kh, kw, in, out] (tfjs's conv2d filter)
        return tf.variable(shape.length === 4 ? tf.transpose(t, [2, 3, 1, 0]) : t, true, name);
      });
    },
    forward(x, [c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b, f3w, f3b]) {
      const images = tf.reshape(x, [-1, input.height, input.width, input.channels]) as tf.Tensor4D;
      const a1 = pool2(act(tf.add(tf.conv2d(images, c1w as tf.Variable<tf.Rank.R4>, 1, 2), c1b)) as tf.Tensor4D);
      const a2 = pool2(act(tf.add(tf.conv2d(a1, c2w as tf.Variable<tf.Rank.R4>, 1, 'valid'), c2b)) as tf.Tensor4D);
      const flattened = tf.reshape(tf.transpose(a2, [0, 3, 1, 2]), [-1, flat]); // channel-first, as ours flattens [16, 5, 5]
      const h1 = act(tf.add(tf.matMul(flattened, f1w), f1b));
      const h2 = act(tf.add(tf.matMul(h1, f2w), f2b));
      return tf.add(tf.matMul(h2, f3w), f3b);
    },
  };
}

export class TfjsNetContender implements Contender {
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
    private readonly network: TfjsNet = mlpNet(),
  ) {
    this.name = `tfjs-${backend} ${network.name} (custom loop)`;
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
    this.params = this.network.params(data.seed);
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
    return this.network.forward(x, this.params);
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
    // In chunks: LeNet's first activation for all 10,000 test images (188 MB) is past a 128 MiB binding.
    const chunk = 2000;
    let n = 0;
    for (let start = 0; start < this.data.testCount; start += chunk) {
      const rows = Math.min(chunk, this.data.testCount - start);
      const hits = tf.tidy(() => {
        const x = tf.slice(this.xTest, [start, 0], [rows, IMAGE_SIZE]);
        const y = tf.slice(this.yTest, [start], [rows]);
        return tf.sum(tf.cast(tf.equal(tf.argMax(this.net(x), 1), y), 'float32'));
      });
      n += (await hits.data())[0];
      hits.dispose();
    }
    return n / this.data.testCount;
  }

  async dispose(): Promise<void> {
    tf.dispose([...this.blocks.map((b) => b.x), this.yTrain, this.xTest, this.yTest]);
    tf.disposeVariables();
    this.optimizer?.dispose();
  }
}
