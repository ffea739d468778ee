/**
 * jax-js peer of every section of `npm run bench` (`--only jax`): @jax-js/jax (a devDependency; its version is in
 * the row's notes) on its webgpu device over the same dawn.node adapter as ours (node_webgpu.ts), the network
 * written the way its own MNIST demo writes one: a pure loss of a parameter tree, one jit()-compiled training step
 * that takes valueAndGrad(loss) and applies SGD with the book's lr, batches of our shuffles. Run in its own
 * process (run-jax-peer.ts) like the other peers. The networks (JaxNet), from our seeded generators:
 *   softmax: d2l 3.6, 784 -> 10, W ~ N(0, 0.01²), b = 0;
 *   mlp: d2l 4.3, 784 -> 256 -> 10 with ReLU, weights N(0, 0.01²), zero biases;
 *   lenet: d2l 6.6 through lax.convGeneralDilated and lax.reduceWindow, our lenetInit's Xavier-uniform weights.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Array as JaxArray } from '@jax-js/jax';
import { LENET_LAYERS as L, lenetInit, lenetShapes } from '../../src/model/lenet.js';
import { lenetDims } from '../../src/model/lenet_shape.js';
import type { ModelSpec } from '../../src/model/model.js';
import { epochSeed, Rng } from '../../src/random.js';
import { CLASSES, IMAGE_SIZE, type BenchData, type Contender, type EpochResult } from './contender.js';
import { ChildContender } from './child.js';
import { installNodeWebGpu } from './node_webgpu.js';
import type { ContenderEntry } from './section.js';

type Jax = typeof import('@jax-js/jax');
/** A parameter tree: a `type` alias, not an interface, so that jax-js's JsTree types accept it. */
type Params = { [name: string]: JaxArray };

/** A network for JaxContender: its name, its initial weights (host arrays) and its forward pass on x [B, 784]. */
export interface JaxNet {
  name: string;
  init(seed: number): Record<string, { data: Float32Array; shape: readonly number[] }>;
  /** Logits [B, 10]; consumes x and the params it is given (jax-js's ownership rules). */
  forward(jax: Jax, params: Params, x: JaxArray): JaxArray;
}

const normal = (rng: Rng, shape: number[]) => ({ data: rng.fillNormal(new Float32Array(shape[0] * shape[1]), 0, 0.01), shape });
const zeros = (n: number) => ({ data: new Float32Array(n), shape: [n] });

/** d2l 3.6's softmax regression (the same draw as tfjs.ts and src/model/parameters.ts). */
export function softmaxJaxNet(): JaxNet {
  return {
    name: 'softmax',
    init: (seed) => ({ W: normal(new Rng(seed), [IMAGE_SIZE, CLASSES]), b: zeros(CLASSES) }),
    forward: ({ numpy: np }, p, x) => np.dot(x, p.W).add(p.b),
  };
}

/** d2l 4.3's MLP with one hidden layer of `hidden` ReLUs (the same draw as tfjs_nets.ts's mlpNet). */
export function mlpJaxNet(hidden = 256): JaxNet {
  return {
    name: 'mlp',
    init(seed) {
      const rng = new Rng(seed);
      return { W1: normal(rng, [IMAGE_SIZE, hidden]), b1: zeros(hidden), W2: normal(rng, [hidden, CLASSES]), b2: zeros(CLASSES) };
    },
    forward: ({ numpy: np, nn }, p, x) => np.dot(nn.relu(np.dot(x, p.W1).add(p.b1)), p.W2).add(p.b2),
  };
}

/** d2l 6.6's LeNet on 1x28x28 images: `activation` sigmoid or relu, `pool` avg or max. */
export function lenetJaxNet(activation: string, pool: string): JaxNet {
  const spec: ModelSpec = { kind: 'lenet', input: { channels: 1, height: 28, width: 28 }, classes: CLASSES, options: { activation, pool } };
  const { flat } = lenetDims(spec);
  return {
    name: `lenet (${activation}, ${pool}-pool)`,
    init(seed) {
      const p = lenetInit(spec, seed);
      return Object.fromEntries(Object.entries(lenetShapes(spec)).map(([name, shape]) => [name, { data: p[name].data, shape }]));
    },
    forward({ numpy: np, nn, lax }, p, x) {
      const act = (t: JaxArray) => (activation === 'relu' ? nn.relu(t) : nn.sigmoid(t));
      // The 2x2 window's mean or maximum, stride 2, over the two spatial axes of [B, C, H, W].
      const pool2 = (t: JaxArray) => lax.reduceWindow(t, (w) => (pool === 'max' ? np.max(w) : np.mean(w)), [2, 2], [2, 2]);
      const bias = (b: JaxArray) => b.reshape([-1, 1, 1]);
      const images = x.reshape([-1, 1, 28, 28]);
      const c1 = lax.convGeneralDilated(images, p[`${L.conv1}.weight`], [1, 1], [[2, 2], [2, 2]]).add(bias(p[`${L.conv1}.bias`]));
      const a1 = pool2(act(c1));
      const c2 = lax.convGeneralDilated(a1, p[`${L.conv2}.weight`], [1, 1], 'VALID').add(bias(p[`${L.conv2}.bias`]));
      const a2 = pool2(act(c2)).reshape([-1, flat]); // channel-first, as ours flattens [16, 5, 5]
      const h1 = act(np.dot(a2, p[`${L.fc1}.weight`]).add(p[`${L.fc1}.bias`]));
      const h2 = act(np.dot(h1, p[`${L.fc2}.weight`]).add(p[`${L.fc2}.bias`]));
      return np.dot(h2, p[`${L.fc3}.weight`]).add(p[`${L.fc3}.bias`]);
    },
  };
}

/** jax-js's version, from its package.json (its entry point does not export one). */
export function jaxVersion(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve('@jax-js/jax');
  const pkg = require(main.replace(/dist\/index\.c?js$/, 'package.json')) as { version: string };
  return pkg.version;
}

/** The jax-js peer's name for a network: what the bench's --only matches (e.g. --only jax). */
export const jaxPeerName = (network: string) => `jax-js-webgpu ${network} (jit(valueAndGrad), SGD)`;

/** A section's jax-js peer, in its own process (run-jax-peer.ts); `model` softmax, mlp or lenet. */
export function jaxPeer(model: 'softmax' | 'mlp' | 'lenet', lenet = { activation: 'sigmoid', pool: 'avg' }): ContenderEntry {
  const network = model === 'lenet' ? `lenet (${lenet.activation}, ${lenet.pool}-pool)` : model;
  const name = jaxPeerName(network);
  const args = [fileURLToPath(new URL('./run-jax-peer.js', import.meta.url)), `--model=${model}`];
  if (model === 'lenet') args.push(`--activation=${lenet.activation}`, `--pool=${lenet.pool}`);
  // Optional: a machine without a WebGPU adapter lists it as skipped (with the reason) instead of failing.
  return { name, role: 'peer', make: () => new ChildContender(name, { command: process.execPath, args, optional: true }) };
}

export class JaxContender implements Contender {
  readonly name: string;
  adapter?: string;
  notes?: string;
  private jax!: Jax;
  private data!: BenchData;
  /** Training images in row blocks, each small enough to bind (see gatherRows). */
  private blocks: Array<{ start: number; rows: number }> = [];
  private xTrain: JaxArray[] = [];
  private yTrain!: JaxArray;
  private xTest!: JaxArray;
  private yTest!: JaxArray;
  private params!: Params;
  private step!: (params: Params, xs: JaxArray[], y: JaxArray, idx: JaxArray, sums: JaxArray) => [Params, JaxArray];
  private hits!: (params: Params, x: JaxArray, y: JaxArray) => JaxArray;

  constructor(private readonly network: JaxNet) {
    this.name = jaxPeerName(network.name);
  }

  async setup(data: BenchData): Promise<void> {
    this.data = data;
    const gpu = await installNodeWebGpu();
    this.adapter = gpu.adapter;
    // Imported only now: jax-js looks for navigator.gpu when its webgpu device starts.
    const jax = (this.jax = await import('@jax-js/jax'));
    const { numpy: np, nn, jit, valueAndGrad, tree } = jax;
    if (!(await jax.init('webgpu')).includes('webgpu')) throw new Error('jax-js could not start its webgpu device');
    jax.defaultDevice('webgpu');
    const { trainCount, testCount, lr } = data;
    // 60000 x 784 f32 (180 MiB) is past lavapipe's 128 MiB binding: the set is held in blocks, as tfjs.ts does.
    const blockRows = Math.min(trainCount, Math.floor(gpu.maxBindingBytes / (IMAGE_SIZE * 4)));
    for (let start = 0; start < trainCount; start += blockRows) {
      const rows = Math.min(blockRows, trainCount - start);
      this.blocks.push({ start, rows });
      this.xTrain.push(np.array(unitFloats(data.trainImages, start, rows), { shape: [rows, IMAGE_SIZE] }));
    }
    this.yTrain = np.array(Int32Array.from(data.trainLabels.subarray(0, trainCount)), { dtype: np.int32 });
    this.xTest = np.array(unitFloats(data.testImages, 0, testCount), { shape: [testCount, IMAGE_SIZE] });
    this.yTest = np.array(Int32Array.from(data.testLabels.subarray(0, testCount)), { dtype: np.int32 });
    this.params = Object.fromEntries(Object.entries(this.network.init(data.seed)).map(([k, v]) => [k, np.array(v.data, { shape: [...v.shape] })]));
    const blocks = this.blocks;
    const network = this.network;

    // The mean cross-entropy of a batch, and its logits as the auxiliary output (for the accuracy).
    const loss = (params: Params, x: JaxArray, y: JaxArray): [JaxArray, JaxArray] => {
      const logits = network.forward(jax, params, x);
      const n = y.shape[0];
      const ce = nn.logSoftmax(logits.ref, -1).mul(nn.oneHot(y, CLASSES)).sum().mul(-1 / n);
      return [ce, logits];
    };
    // Rows `idx` of the training images. One take where the set is one block; else every block is gathered with
    // clamped indices and where() keeps the rows that come from it: fixed shapes, so one compiled step.
    const gatherRows = (xs: JaxArray[], idx: JaxArray): JaxArray => {
      if (xs.length === 1) return np.take(xs[0], idx, 0);
      let out: JaxArray | undefined;
      xs.forEach((x, k) => {
        const { start, rows } = blocks[k];
        const local = np.clip(idx.ref.sub(start), 0, rows - 1);
        const rowsOf = np.take(x, local, 0);
        out = out ? np.where(idx.ref.greaterEqual(start).reshape([-1, 1]), rowsOf, out) : rowsOf;
      });
      idx.dispose();
      return out!;
    };
    // One SGD step; `sums` [2] carries the epoch's loss sum and correct count on the device.
    this.step = jit((params: Params, xs: JaxArray[], yAll: JaxArray, idx: JaxArray, sums: JaxArray): [Params, JaxArray] => {
      const n = idx.shape[0];
      const x = gatherRows(xs, idx.ref);
      const y = np.take(yAll, idx, 0);
      const [[value, logits], grads] = valueAndGrad(loss, { hasAux: true })(tree.ref(params), x, y.ref);
      const hits = np.argmax(logits, 1).equal(y).astype(np.float32).sum();
      const next = tree.map((p: JaxArray, g: JaxArray) => p.sub(g.mul(lr)), params, grads) as Params;
      return [next, sums.add(np.stack([value.mul(n), hits]))];
    }) as unknown as typeof this.step;
    this.hits = jit((params: Params, x: JaxArray, y: JaxArray) =>
      np.argmax(network.forward(jax, params, x), 1).equal(y).astype(np.float32).sum(),
    ) as unknown as typeof this.hits;
    await jax.blockUntilReady([...this.xTrain.map((x) => x.ref), this.yTrain.ref, this.xTest.ref, this.yTest.ref, tree.ref(this.params)]);
    this.notes = `@jax-js/jax ${jaxVersion()}${this.blocks.length > 1 ? `, training images in ${this.blocks.length} blocks (past the ${gpu.maxBindingBytes / 2 ** 20} MiB binding)` : ''}`;
  }

  async trainEpoch(epoch: number): Promise<EpochResult> {
    const np = this.jax.numpy;
    const { trainCount, batchSize, seed } = this.data;
    const start = performance.now();
    const order = new Int32Array(new Rng(epochSeed(seed, epoch)).permutation(trainCount).buffer);
    let sums = np.zeros([2]);
    for (let i = 0; i < trainCount; i += batchSize) {
      const idx = np.array(order.subarray(i, Math.min(i + batchSize, trainCount)), { dtype: np.int32 });
      [this.params, sums] = this.step(this.params, this.xTrain.map((x) => x.ref), this.yTrain.ref, idx, sums);
    }
    // Reading the sums waits for every queued step.
    const [loss, correct] = await sums.data();
    return { seconds: (performance.now() - start) / 1000, loss: loss / trainCount, trainAccuracy: correct / trainCount };
  }

  async testAccuracy(): Promise<number> {
    const { tree } = this.jax;
    // In chunks: LeNet's first activation for all 10,000 test images is past a 128 MiB binding.
    const chunk = 2000;
    let n = 0;
    for (let start = 0; start < this.data.testCount; start += chunk) {
      const end = Math.min(start + chunk, this.data.testCount);
      const hits = this.hits(tree.ref(this.params), this.xTest.ref.slice([start, end]), this.yTest.ref.slice([start, end]));
      n += (await hits.data())[0];
    }
    return n / this.data.testCount;
  }

  async dispose(): Promise<void> {
    this.jax?.tree.dispose([...this.xTrain, this.yTrain, this.xTest, this.yTest, this.params]);
  }
}

/** Rows [start, start + rows) of u8 images as float32 in [0, 1], like d2l's ToTensor. */
function unitFloats(images: Uint8Array, start: number, rows: number): Float32Array {
  const src = images.subarray(start * IMAGE_SIZE, (start + rows) * IMAGE_SIZE);
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] / 255;
  return out;
}
