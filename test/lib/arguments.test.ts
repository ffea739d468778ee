/**
 * Every public library function refuses what it cannot use with a typed error naming the argument, called as
 * plain JavaScript calls it: the functions come from the built package (dist/, untyped here), so strings, NaN,
 * Arrays and Float32Arrays reach them as they would from a .js file. Each case fails before any GPU work (the
 * Gpu is a trap that throws when touched), except the few below that need a device: a destroyed one, Node's
 * adapter choice and acquireGpu, which run on lavapipe.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinySplit } from '../data/helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(ROOT, 'dist/src');
/* eslint-disable @typescript-eslint/no-explicit-any */
let lib: any;
let node: any;

beforeAll(async () => {
  // dist/ is built by the global setup; imported by path, so nothing below is type-checked.
  lib = await import(join(DIST, 'index.js'));
  node = await import(join(DIST, 'node.js'));
});

/** Never touched: every case below must fail before any GPU call. */
const NO_GPU = new Proxy({}, { get: (_, key) => { throw new Error(`the GPU was used (${String(key)})`); } });

/** A Fashion-MNIST-shaped split of `count` images, as plain objects. */
const fashion = (count: number, seed = 1) => ({ ...tinySplit(count, seed), count });
/** A split of 8x8 images with 4 classes. */
const small = (count: number, withShape = true) => {
  const images = Uint8Array.from({ length: count * 64 }, (_, i) => (i * 13) & 0xff);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 4);
  return { images, labels, count, ...(withShape ? { shape: { channels: 1, height: 8, width: 8 }, classes: ['a', 'b', 'c', 'd'] } : {}) };
};

/** A checkpoint of `kind` for `input` as fit() returns it, made without a GPU. */
function checkpointOf(kind: string, input = { channels: 1, height: 28, width: 28 }, classes = 10) {
  const definition = lib.modelDefinition(kind);
  const spec = definition.spec(input, classes, {});
  return { params: definition.init(spec, 0), meta: { model: spec, epoch: 1, config: { lr: 0.1, batchSize: 10, seed: 0, epochs: 1, limit: null }, history: [], test: null } };
}

async function refusal(run: () => unknown): Promise<Error> {
  try {
    await run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('no error was thrown');
}

/** Expects `run` to fail with an ArgumentError whose one-line message matches. */
async function expectArgumentError(run: () => unknown, message: RegExp): Promise<void> {
  const err = await refusal(run);
  expect(err.message).toMatch(message);
  expect(err, err.stack).toBeInstanceOf(lib.ArgumentError);
  expect(err).toBeInstanceOf(lib.UsageError);
  expect(err.message).not.toMatch(/\n/);
}

describe('fit refuses, from plain JavaScript, what would train silently on nonsense', () => {
  const data = () => ({ train: fashion(10), test: fashion(4, 2) });
  const cases: Array<[string, () => [any, any?, any?], RegExp]> = [
    ['a label at the class count', () => { const d = data(); d.train.labels[3] = 10; return [d]; }, /^data\.train\.labels\[3\] is 10, not a class of 10 \(0\.\.9\): give data\.train\.classes/],
    ['a label past the class count in the test split', () => { const d = data(); d.test.labels[1] = 200; return [d]; }, /^data\.test\.labels\[1\] is 200, not a class of 10/],
    ['a count larger than the images hold', () => { const d = data(); d.train.count = 11; return [d]; }, /^data\.train\.images holds 7840 bytes, but data\.train\.count 11 images of 1x28x28 .*are 8624/],
    ['Float32Array images', () => { const d: any = data(); d.train.images = Float32Array.from(d.train.images, (v: number) => v / 255); return [d]; }, /^data\.train\.images must be a Uint8Array of pixels .*not a Float32Array of 7840 \(convert it/],
    ['an Array of labels', () => { const d: any = data(); d.train.labels = [...d.train.labels]; return [d]; }, /^data\.train\.labels must be a Uint8Array of class indices, not an Array of 10/],
    ['8x8 images without a shape', () => { const s = small(10, false); return [{ train: s, test: s }]; }, /^data\.train\.images holds 640 bytes, but data\.train\.count 10 images of 1x28x28 \(Fashion-MNIST's: it has no shape\) are 7840; give data\.train\.shape/],
    ['train and test of different shapes', () => [{ train: small(10), test: fashion(4) }], /^data\.train and data\.test must have images of one shape, not data\.train 1x8x8 and data\.test 1x28x28 \(Fashion-MNIST's: it has no shape\)/],
    ['train and test of different classes', () => [{ train: small(10), test: { ...small(4), classes: ['a', 'b', 'c', 'd', 'e'] } }], /^data\.train and data\.test must have the same classes, not 4 and 5/],
    ['a shape whose pixels the GPU cannot pack', () => { const s = { ...small(4), shape: { channels: 1, height: 3, width: 3 }, images: new Uint8Array(36) }; return [{ train: s, test: s }]; }, /^data\.train\.shape has 9 pixels an image .*multiple of 4 pixels/],
    ['epochs as a string', () => [data(), { epochs: '2' }], /^options\.epochs must be an integer in 1\.\.100000, not the string "2"$/],
    ['a NaN count', () => { const d: any = data(); d.train.count = NaN; return [d]; }, /^data\.train\.count must be an integer in 1\.\.\d+, not NaN$/],
    ['a NaN learning rate', () => [data(), { lr: NaN }], /^options\.lr must be a finite number greater than 0 .*not NaN$/],
    ['a learning rate that is 0 in f32', () => [data(), { lr: 1e-50 }], /^options\.lr must be a finite number greater than 0 .*not 1e-50$/],
    ['a batch size as a string', () => [data(), { batchSize: '5' }], /^options\.batchSize must be an integer in 1\.\.65536, not the string "5"$/],
    ['a fractional limit', () => [data(), { limit: 2.5 }], /^options\.limit must be an integer in 1\.\.10, not 2\.5$/],
    ['a misspelt option', () => [data(), { epoch: 3 }], /^options has no field epoch \(it takes model, modelOptions, epochs/],
    ['data as an Array', () => [[fashion(10), fashion(4)]], /^data must be the splits \{ train, test \}, not an Array of 2$/],
    ['no data', () => [undefined], /^data must be the splits \{ train, test \}, not undefined$/],
    ['a model that is neither a kind nor a spec', () => [data(), { model: 7 }], /^options\.model must be a model spec \{ kind, input, classes, options \}/],
    ['a spec with modelOptions', () => [data(), { model: lib.fashionMnistSpec('scratch'), modelOptions: { kernels: 'fused' } }], /^options\.modelOptions goes with a model kind/],
    ['a spec for other images', () => [data(), { model: lib.modelDefinition('scratch').spec({ channels: 1, height: 8, width: 8 }, 10, {}) }], /^options\.model does not fit data\.train: the model reads 1x8x8 images, the data has 1x28x28$/],
    ['params of another model', () => [data(), { params: lib.scratchModel.init(lib.fashionMnistSpec('scratch'), 0), model: 'mlp' }], /^options\.params: W1, b1, W2, b2, W, b do not match model mlp/],
    ['params as plain arrays', () => [data(), { params: { W: { shape: [784, 10], data: new Array(7840).fill(0) }, b: { shape: [10], data: new Float32Array(10) } } }], /^options\.params\.W\.data must be a Float32Array, not an Array of 7840$/],
    ['a hook that is not a function', () => [data(), {}, { onEpoch: 'log' }], /^hooks\.onEpoch must be a function, not the string "log"$/],
    ['early stopping with no patience', () => [data(), { earlyStopping: { patience: 0 } }], /^options\.earlyStopping\.patience must be an integer in 1\.\.100000, not 0$/],
    ['a batch larger than the limit', () => [data(), { limit: 3, batchSize: 4 }], /^options\.batchSize 4 is larger than the 3 training samples: pass a smaller batchSize or a larger limit$/],
  ];
  it.each(cases)('%s', async (_, args, message) => {
    const [d, options, hooks] = args();
    await expectArgumentError(() => lib.fit(NO_GPU, d, { batchSize: 2, ...options }, hooks), message);
  });

  it('a bad model option is a ModelOptionError naming the option as fit takes it, not a CLI flag', async () => {
    const err = await refusal(() => lib.fit(NO_GPU, { train: fashion(10), test: fashion(4) }, { model: 'mlp', modelOptions: { hidden: [256, 256], dropout: [0.5] } }));
    expect(err).toBeInstanceOf(lib.ModelOptionError);
    expect(err.message).toBe('modelOptions.dropout needs one probability per hidden layer: 2 for modelOptions.hidden 256,256, not 1');
    expect(err.message).not.toMatch(/--/);
    // The CLI and the page say the same with their own names for the options.
    expect(lib.renameOptions(err.message, (k: string) => `--${k}`)).toBe('--dropout needs one probability per hidden layer: 2 for --hidden 256,256, not 1');
    for (const [kind, options, message] of [
      ['lenet', { pool: 'median' }, /^modelOptions\.pool must be one of avg, max, not "median"$/],
      ['scratch', { kernel: 'fused' }, /^model scratch takes no option modelOptions\.kernel \(it takes modelOptions\.kernels\)$/],
      ['mlp', { weightDecay: '0.1' }, /^modelOptions\.weightDecay must be a number >= 0, not "0\.1"$/],
      ['mlp', { hidden: ['256'] }, /^modelOptions\.hidden must be an array of numbers, not \["256"\]$/],
    ] as const) {
      const e = await refusal(() => lib.fit(NO_GPU, { train: fashion(10), test: fashion(4) }, { model: kind, modelOptions: options }));
      expect(e.message).toMatch(message);
      expect(e).toBeInstanceOf(lib.ModelOptionError);
    }
  });

  it('an option set to undefined takes its default (exactOptionalPropertyTypes callers write them)', () => {
    const settings = lib.fitSettings({ train: fashion(10), test: fashion(4) }, { model: 'lenet', modelOptions: { activation: 'relu', pool: undefined }, epochs: undefined, lr: undefined, limit: undefined, batchSize: 5 });
    expect(settings.spec.options).toEqual({ activation: 'relu', pool: 'avg' });
    expect([settings.epochs, settings.lr, settings.limit]).toEqual([10, 0.1, null]);
  });

  it('an 8x8 split with its shape and classes trains a model made for it', () => {
    const settings = lib.fitSettings({ train: small(10), test: small(4) }, { model: 'mlp', batchSize: 5 });
    expect(settings.spec.input).toEqual({ channels: 1, height: 8, width: 8 });
    expect(settings.spec.classes).toBe(4);
  });

  it('something that is not a Gpu is refused once the options are good', async () => {
    await expectArgumentError(() => lib.fit({ device: 'gpu' }, { train: fashion(10), test: fashion(4) }, { batchSize: 5 }), /^gpu must be a Gpu from createNodeGpu\(\) \(Node\) or acquireGpu\(navigator\.gpu, shaders\) \(browser\), not an object$/);
  });
});

describe('evaluate and predict refuse a model that does not fit the data, and data of the wrong type', () => {
  it('evaluate: an 8x8 model on Fashion-MNIST, labels past its classes, a model that is no checkpoint', async () => {
    const test = new lib.FashionMNIST(fashion(4), false);
    await expectArgumentError(() => lib.evaluate(NO_GPU, test, checkpointOf('mlp', { channels: 1, height: 8, width: 8 }, 4)), /^data does not fit model \(mlp 64-256-4\): the model reads 1x8x8 images, the data has 1x28x28$/);
    const split = small(6);
    await expectArgumentError(() => lib.evaluate(NO_GPU, { ...split, shape: undefined, classes: undefined }, checkpointOf('mlp', { channels: 1, height: 8, width: 8 }, 3)), /^data\.labels\[3\] is 3, not a class of 3 \(0\.\.2\)/);
    await expectArgumentError(() => lib.evaluate(NO_GPU, test, {}), /^model\.meta must be checkpoint metadata \{ model, epoch, config, history, test \}, not undefined$/);
    await expectArgumentError(() => lib.evaluate(NO_GPU, test, { ...checkpointOf('scratch'), params: {} }), /^model\.params: W, b do not match model scratch \(W: \[784, 10\], b: \[10\]\)$/);
    await expectArgumentError(() => lib.evaluate(NO_GPU, 'test', checkpointOf('scratch')), /^data must be a split \{ images, labels, count \}/);
  });

  it('predict: an Array of pixels, a partial image, a string', async () => {
    const model = checkpointOf('scratch');
    await expectArgumentError(() => lib.predict(NO_GPU, model, new Array(784).fill(0)), /^images must be a Uint8Array of pixels \(0\.\.255\), image after image, not an Array of 784 \(convert it: Uint8Array\.from\(images\)\)$/);
    await expectArgumentError(() => lib.predict(NO_GPU, model, new Uint8Array(783)), /^images holds 783 bytes, not a whole number of the model's 1x28x28 \(784-pixel\) images: pass n \* 784 bytes, n >= 1$/);
    await expectArgumentError(() => lib.predict(NO_GPU, model, new Uint8Array(0)), /^images holds 0 bytes/);
    await expectArgumentError(() => lib.predict(NO_GPU, model, 'pixels'), /^images must be a Uint8Array .*not the string "pixels"$/);
    await expectArgumentError(() => lib.predict(NO_GPU, { params: model.params, meta: { ...model.meta, model: { ...model.meta.model, kind: 'resnet' } } }, new Uint8Array(784)), /^model\.meta\.model\.kind must be one of scratch, concise/);
  });
});

describe('checkpoints as bytes and files', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('decodeCheckpoint takes an ArrayBuffer as a Uint8Array, and refuses an Array clearly', async () => {
    const checkpoint = checkpointOf('mlp');
    const bytes: Uint8Array = lib.encodeCheckpoint(checkpoint);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const back = lib.decodeCheckpoint(buffer);
    expect(back.meta.model).toEqual(checkpoint.meta.model);
    expect(back.params.W1.data).toEqual(checkpoint.params.W1.data);
    await expectArgumentError(() => lib.decodeCheckpoint([...bytes], 'x'), /^bytes must be the checkpoint file's bytes as a Uint8Array or an ArrayBuffer, not an Array$/);
    await expectArgumentError(() => lib.decodeCheckpoint(bytes, 5), /^name must be a string/);
  });

  it('saveCheckpoint refuses metadata it could not load back, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webgpu-softmax-args-'));
    dirs.push(dir);
    const checkpoint = checkpointOf('scratch');
    await expectArgumentError(() => node.saveCheckpoint(dir, { params: checkpoint.params, meta: {} }), /^checkpoint\.meta lacks model, epoch, config, history, test: pass the checkpoint fit\(\) or train\(\) returned/);
    await expectArgumentError(() => node.saveCheckpoint(dir, { ...checkpoint, meta: { ...checkpoint.meta, config: { lr: 0.1 } } }), /^checkpoint would not load back \(metadata field "config" lacks lr, batchSize, seed, epochs or limit\): .*nothing was written/);
    await expectArgumentError(() => node.saveCheckpoint(dir, { ...checkpoint, meta: { ...checkpoint.meta, epoch: -1 } }), /^checkpoint would not load back \(bad epoch "-1"/);
    await expectArgumentError(() => node.saveCheckpoint(dir, null), /^checkpoint must be \{ params, meta \}/);
    await expectArgumentError(() => node.saveCheckpoint(undefined, checkpoint), /^dir must be the folder to write model\.safetensors into, not undefined$/);
    expect(existsSync(join(dir, 'model.safetensors'))).toBe(false);
    const path = node.saveCheckpoint(dir, checkpoint);
    expect(node.loadCheckpoint(path).meta.model).toEqual(checkpoint.meta.model);
  });
});

describe('the dataset object and shader files', () => {
  it('FashionMNIST refuses a split that is not 784-pixel u8 images, and bad indices', async () => {
    await expectArgumentError(() => new lib.FashionMNIST({ ...fashion(3), count: 4 }, true), /^split\.images holds 2352 bytes, but split\.count 4 images of 1x28x28/);
    await expectArgumentError(() => new lib.FashionMNIST(fashion(3), 'yes'), /^train must be true \(the training split\) or false \(the test split\), not the string "yes"$/);
    const split = new lib.FashionMNIST(fashion(3), true);
    await expectArgumentError(() => split.get('1'), /^index must be an integer in 0\.\.2, not the string "1"$/);
    await expectArgumentError(() => split.get(3), /^index must be an integer in 0\.\.2, not 3$/);
    await expectArgumentError(() => split.subset(0), /^n must be an integer in 1\.\.3, not 0$/);
    await expectArgumentError(() => lib.FashionMNIST.decode({ trainImages: new Uint8Array(4) }), /^files\.trainLabels must be a Uint8Array of the bytes of train-labels-idx1-ubyte/);
  });

  it('shaderSourceFromFiles wants WGSL text by path', async () => {
    await expectArgumentError(() => lib.shaderSourceFromFiles(['a.wgsl']), /^files must be an object of WGSL sources by path/);
    await expectArgumentError(() => lib.shaderSourceFromFiles({ 'shaders/a.wgsl': { default: 'x' } }), /^files\["shaders\/a\.wgsl"\] must be the WGSL source as a string, not an object/);
  });
});

describe('Node: choosing the adapter, acquireGpu without createNodeGpu, a destroyed device (lavapipe)', () => {
  /** Runs `code` as an ES module in a new Node process (so no WebGPU global is left from another test). */
  function runModule(code: string): { status: number | null; out: string; err: string } {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' } });
    return { status: run.status, out: run.stdout.trim(), err: run.stderr };
  }

  it('createNodeGpu({ adapter }) takes the adapter named, and names the ones there are for a name none has', () => {
    const run = runModule(`
      import { createNodeGpu } from './dist/src/node.js';
      const gpu = await createNodeGpu({ adapter: 'llvmpipe', powerPreference: 'low-power' });
      console.log(JSON.stringify(gpu.adapterInfo.description));
      gpu.device.destroy();
      for (const options of [{ adapter: 'no-such-gpu' }, { powerPreference: 'fast' }, { adaptor: 'llvmpipe' }]) {
        try { await createNodeGpu(options); console.log('no error'); } catch (e) { console.log(e.name + ': ' + e.message); }
      }
    `);
    expect(run.status, run.err).toBe(0);
    const [description, noSuch, power, typo] = run.out.split('\n').filter((l) => !/^Warning/.test(l));
    expect(description).toMatch(/llvmpipe/);
    expect(noSuch).toMatch(/^GpuError: no WebGPU adapter matches adapter "no-such-gpu" \(this machine has: backend: 'vulkan', name: 'llvmpipe.*\): pass part of one of those names$/);
    expect(power).toBe("ArgumentError: options.powerPreference must be 'high-performance' or 'low-power', not the string \"fast\"");
    expect(typo).toBe('ArgumentError: options has no field adaptor (it takes powerPreference, adapter, backend)');
  });

  it("acquireGpu works in Node with dawn.node's own GPU object, and a destroyed device is a GpuError that says so", () => {
    const run = runModule(`
      import { create } from 'webgpu';
      import { acquireGpu, predict, fashionMnistSpec, scratchModel } from './dist/src/index.js';
      import { fileShaderSource } from './dist/src/node.js';
      const gpu = await acquireGpu(create([]), fileShaderSource());
      const spec = fashionMnistSpec('scratch');
      const model = { params: scratchModel.init(spec, 0), meta: { model: spec, epoch: 0, config: { lr: 0.1, batchSize: 256, seed: 0, epochs: 1, limit: null }, history: [], test: null } };
      const p = await predict(gpu, model, new Uint8Array(2 * 784));
      console.log(JSON.stringify({ labels: p.labels.length, sum: p.probabilities.subarray(0, 10).reduce((a, b) => a + b, 0) }));
      gpu.device.destroy();
      try { await predict(gpu, model, new Uint8Array(784)); console.log('no error'); } catch (e) { console.log(e.name + ': ' + e.message); }
    `);
    expect(run.status, run.err).toBe(0);
    const [first, destroyed] = run.out.split('\n').filter((l) => !/^Warning/.test(l));
    const predicted = JSON.parse(first);
    expect(predicted.labels).toBe(2);
    expect(predicted.sum).toBeCloseTo(1, 5);
    expect(destroyed).toBe("GpuError: the Gpu's device was destroyed (device.destroy()): make a new one with createNodeGpu() or acquireGpu() and pass that");
  });
});
