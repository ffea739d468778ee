/**
 * The page's Node-testable parts, without a browser: the in-page `expect` the kernel suite runs with, how
 * dropped files are matched to the dataset's four files, the dev server's dataset directory lookup, and the
 * build guard that keeps Node-only modules out of the page.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expect as pageExpect } from '../../src/web/check/expect.js';
import { collectFile } from '../../src/web/check/registry.js';
import { describe as pageDescribe, it as pageIt } from '../../src/web/check/vitest_shim.js';
import { keyOfFileName, missingKeys, sortFiles } from '../../src/web/data_files.js';
import { notSafetensors } from '../../src/web/model_io.js';
import { findDatasetDir } from '../../src/web/vite/dataset_dir.js';
import { encodeCheckpoint } from '../../src/model/checkpoint.js';
import { modelDefinition, MODELS } from '../../src/model/registry.js';
import { allOptionNames, defaultLr, optionFields } from '../../src/web/settings.js';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_SHAPE } from '../../src/data/dataset.js';
import { kernelSuiteInPage } from '../../src/web/vite/kernel_suite.js';
import { nodeGuard } from '../../src/web/vite/node_guard.js';
import { REPO_ROOT } from './server.js';

describe("the page's expect (what the kernel suite asserts with in the browser)", () => {
  it('passes and fails as vitest does for the matchers the suite uses', () => {
    pageExpect(1).toBe(1);
    pageExpect([1, 0, 0.5]).toEqual([1, 0, 0.5]);
    pageExpect(Float32Array.of(1, 2)).toEqual(Float32Array.of(1, 2));
    pageExpect(3).toBeGreaterThan(2);
    pageExpect(0.30000001).toBeCloseTo(0.3, 5);
    pageExpect(1).not.toBe(2);
    expect(() => pageExpect(1).toBe(2)).toThrow('expected 1 to be 2');
    expect(() => pageExpect(0).toBe(-0)).toThrow('expected 0 to be -0');
    expect(() => pageExpect([0, 1]).toEqual([0, 2])).toThrow(/to equal/);
    expect(() => pageExpect(Float32Array.of(1)).toEqual([1])).toThrow(/to equal/);
    expect(() => pageExpect({ a: 1 }).toEqual({ a: 1, b: 2 })).toThrow(/to equal/);
    pageExpect({ a: 1, b: { c: [1, 2], d: 3 } }).toMatchObject({ b: { c: [1, 2] } });
    expect(() => pageExpect({ a: 1 }).toMatchObject({ a: 1, b: undefined })).toThrow(/to match object/);
    expect(() => pageExpect({ a: [1, 2] }).toMatchObject({ a: [1] })).toThrow(/to match object/);
    expect(() => pageExpect({ a: { b: 2 } }).toMatchObject({ a: { b: 3 } })).toThrow(/to match object/);
    expect(() => pageExpect(2, 'count').toBeGreaterThan(2)).toThrow(/^count: expected 2 to be greater than 2/);
    expect(() => pageExpect(1).not.toBe(1)).toThrow('expected 1 not to be 1');
    expect(() => pageExpect.fail('worst element')).toThrow('worst element');
  });

  it('refuses a matcher it does not implement instead of passing', () => {
    const matchers = pageExpect([1]) as unknown as Record<string, (x: unknown) => void>;
    expect(() => matchers.toContain(1)).toThrow(/toContain is not supported/);
  });

  it('collects describe/it titles per file and runs nothing while collecting', async () => {
    let ran = false;
    const tests = await collectFile('a.test.ts', async () => {
      pageDescribe('kernel', () => {
        pageIt('rows 1', () => {
          ran = true;
        });
        pageIt('rows 7', () => undefined);
      });
    });
    expect(tests.map((t) => `${t.file} ${t.name}`)).toEqual(['a.test.ts kernel > rows 1', 'a.test.ts kernel > rows 7']);
    expect(ran).toBe(false);
    await tests[0].run();
    expect(ran).toBe(true);
  });
});

describe('dataset files in the page', () => {
  const file = (name: string) => new File([new Uint8Array(4)], name);

  it('knows the four files by their release names, with or without .gz, prefixes or browser suffixes', () => {
    expect(keyOfFileName('train-images-idx3-ubyte.gz')).toBe('trainImages');
    expect(keyOfFileName('train-labels-idx1-ubyte')).toBe('trainLabels');
    expect(keyOfFileName('fashion-t10k-images-idx3-ubyte (1).gz')).toBe('testImages');
    expect(keyOfFileName('T10K-LABELS-IDX1-UBYTE.GZ')).toBe('testLabels');
    expect(keyOfFileName('train-images.png')).toBe(null);
  });

  it('sorts picked files into slots, reports strangers and what is still missing', () => {
    const first = sortFiles([file('train-images-idx3-ubyte.gz'), file('notes.txt')]);
    expect(Object.keys(first.files)).toEqual(['trainImages']);
    expect(first.unknown).toEqual(['notes.txt']);
    expect(missingKeys(first.files)).toEqual(['trainLabels', 'testImages', 'testLabels']);
    const second = sortFiles([file('train-labels-idx1-ubyte.gz'), file('t10k-images-idx3-ubyte.gz'), file('t10k-labels-idx1-ubyte.gz')], first.files);
    expect(missingKeys(second.files)).toEqual([]);
    expect(second.files.trainImages?.name).toBe('train-images-idx3-ubyte.gz');
  });
});

describe("dev server's dataset directory", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'webgpu-softmax-dataset-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes $FASHION_MNIST_DIR first when it holds all four files, preferring NAME.gz', async () => {
    const full = path.join(dir, 'full');
    mkdirSync(full);
    for (const name of ['train-images-idx3-ubyte.gz', 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) {
      writeFileSync(path.join(full, name), 'x');
    }
    expect(await findDatasetDir({ FASHION_MNIST_DIR: full })).toEqual({
      dir: full,
      files: { trainImages: 'train-images-idx3-ubyte.gz', trainLabels: 'train-labels-idx1-ubyte', testImages: 't10k-images-idx3-ubyte.gz', testLabels: 't10k-labels-idx1-ubyte.gz' },
    });
  });

  it('says what a directory holding only some of the files lacks, as the CLI does (one search for both)', async () => {
    const partial = path.join(dir, 'partial');
    mkdirSync(partial);
    writeFileSync(path.join(partial, 'train-images-idx3-ubyte.gz'), 'x');
    expect(await findDatasetDir({ FASHION_MNIST_DIR: partial })).toEqual({
      error: `${partial}: Fashion-MNIST files missing: train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each as NAME or NAME.gz)`,
    });
  });

  it('says where it looked when no directory has any', async () => {
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    const found = await findDatasetDir({ FASHION_MNIST_DIR: empty });
    // The system directory may hold the dataset on this machine; where it does not, the message names the empty one.
    if ('error' in found) expect(found.error).toMatch(new RegExp(`^Fashion-MNIST not found \\(looked in ${empty}, `));
    else expect(found.dir).not.toBe(empty);
  });
});

describe('page build plugins', () => {
  type Resolve = (this: { error(message: string): never }, source: string, importer?: string) => string | null;
  const context = { error: (message: string): never => { throw new Error(message); } };
  const resolver = (plugin: { resolveId?: unknown }) => (plugin.resolveId as Resolve).bind(context);

  it('the node guard refuses Node-only imports from page modules and lets the rest through', () => {
    const resolve = resolver(nodeGuard(REPO_ROOT));
    const page = path.join(REPO_ROOT, 'src/web/main.ts');
    const shared = path.join(REPO_ROOT, 'src/train/loop.ts');
    expect(() => resolve('node:fs', shared)).toThrow(/src\/train\/loop\.ts imports node:fs, which is Node-only/);
    expect(() => resolve('webgpu', page)).toThrow(/Node-only/);
    expect(() => resolve('../gpu/node.js', path.join(REPO_ROOT, 'src/web/gpu.ts'))).toThrow(/Node-only/);
    expect(() => resolve('../report/png.js', page)).toThrow(/Node-only/);
    expect(resolve('../gpu/device.js', page)).toBe(null);
    expect(resolve('uplot', page)).toBe(null);
  });

  it("the kernel-suite redirect only touches imports made from test/kernels/", () => {
    const resolve = resolver(kernelSuiteInPage(REPO_ROOT));
    const harness = path.join(REPO_ROOT, 'test/kernels/harness.ts');
    expect(resolve('vitest', harness)).toBe(path.join(REPO_ROOT, 'src/web/check/vitest_shim.ts'));
    expect(resolve('../../src/gpu/node.js', harness)).toBe(path.join(REPO_ROOT, 'src/web/check/suite_gpu.ts'));
    expect(resolve('../../src/kernels/softmax.js', harness)).toBe(null);
    expect(resolve('vitest', path.join(REPO_ROOT, 'test/web/page.test.ts'))).toBe(null);
    expect(resolve('../gpu/node.js', path.join(REPO_ROOT, 'src/cli/train.ts'))).toBe(null);
  });
});

describe('what a picked checkpoint file is (model_io.ts)', () => {
  it('passes a safetensors checkpoint and names a PNG, a gzip file, text and an empty file as not one', () => {
    const spec = modelDefinition('scratch').spec(FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES, {});
    const checkpoint = encodeCheckpoint({
      params: modelDefinition('scratch').init(spec, 0),
      meta: { model: spec, epoch: 0, config: { lr: 0.1, batchSize: 256, seed: 0, epochs: 1, limit: null }, history: [], test: null },
    });
    expect(notSafetensors(checkpoint)).toBeNull();
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect(notSafetensors(png)).toMatch(/^not a safetensors checkpoint \(a PNG image\)/);
    expect(notSafetensors(Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]))).toMatch(/\(a gzip file\)/);
    expect(notSafetensors(new TextEncoder().encode('hello, this is not a checkpoint'))).toMatch(/does not start with a safetensors header/);
    expect(notSafetensors(new Uint8Array(0))).toMatch(/only 0 bytes/);
    // A header length beyond the file: truncated or not one.
    const truncated = checkpoint.slice(0, 200);
    expect(notSafetensors(truncated)).toMatch(/truncated: its header alone needs \d+ bytes/);
  });
});

describe("the model picker's option fields (settings.ts, from the models' option schemas)", () => {
  it('has a field for every option a registry model reads, and each choice field starts with the choice the model takes by default', () => {
    const fields = optionFields();
    for (const m of MODELS) {
      for (const name of Object.keys(m.options)) {
        const field = fields.find((f) => f.name === name);
        expect(field, `${m.kind} reads ${name}`).toBeDefined();
        if (field!.input !== 'choice') continue;
        // Each choice is one the model takes; the first is its default (what an untouched field gives).
        const plain = m.spec(FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES, {});
        expect(m.spec(FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES, { [name]: field!.choices![0] }), `${m.kind} ${name}`).toEqual(plain);
        for (const choice of field!.choices!) expect(() => m.spec(FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES, { [name]: choice })).not.toThrow();
      }
    }
    // One field per name, in the order the models first declare them.
    expect(allOptionNames()).toEqual([...new Set(MODELS.flatMap((m) => Object.keys(m.options)))]);
  });

  it("takes the model's learning rate as the CLI does: defaultLr(spec) where the definition has one", () => {
    const mlp = modelDefinition('mlp');
    const spec = mlp.spec(FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES, {});
    expect(defaultLr(mlp, spec)).toBe(mlp.defaults.lr);
    // LeNet's rate depends on its options (the ReLU variant: 0.1, the sigmoid one: 0.9), as the CLI takes it.
    const lenet = modelDefinition('lenet');
    const relu = lenet.spec(FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES, { activation: 'relu', pool: 'max' });
    expect(defaultLr(lenet, relu)).toBe(0.1);
    expect(defaultLr(lenet, lenet.spec(FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES, {}))).toBe(0.9);
    expect(defaultLr(lenet, null)).toBe(lenet.defaults.lr);
  });
});
