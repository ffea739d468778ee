/**
 * The package as a user gets it: `npm pack`, installed into a new project, imported by name from an ES module and
 * from strict TypeScript, trained for one epoch on a small subset, and its CLI run. Also what the tarball holds:
 * dist/src (less the page and the CPU twins) and shaders/, with package.json and README.md: no tests, no dataset, no
 * other build output.
 * Needs the npm registry or npm's cache for the dependencies (--prefer-offline takes the cache first).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

interface PackFile {
  path: string;
  size: number;
}

describe('the npm package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'webgpu-softmax-pack-'));
  const project = join(dir, 'consumer');
  let tarball = '';
  let files: PackFile[] = [];

  beforeAll(() => {
    // dist/src is fresh from the global setup, so prepare's rebuild is skipped.
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' }));
    tarball = join(dir, packed[0].filename);
    files = packed[0].files;
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], { cwd: project, stdio: 'inherit', timeout: 240_000 });
  }, 300_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds dist/src and shaders/ only: no tests, no dataset, no source maps, no other build output', () => {
    const paths = files.map((f) => f.path);
    expect(paths).toContain('dist/src/index.js');
    expect(paths).toContain('dist/src/index.d.ts');
    expect(paths).toContain('dist/src/node.js');
    expect(paths).toContain('dist/src/cli/main.js');
    expect(paths).toContain('shaders/prelude/step.wgsl');
    const stray = paths.filter((p) => !/^(dist\/src\/.+\.(js|d\.ts)|shaders\/.+\.wgsl|package\.json|README\.md|LICENSE)$/.test(p));
    expect(stray).toEqual([]);
    // No tests, no dataset or checkpoint, no page. The CPU twins ship: a model's definition holds its whole-model twin.
    expect(paths.filter((p) => /test|ubyte|safetensors|dist\/src\/web\//.test(p))).toEqual([]);
    const kib = statSync(tarball).size / 1024;
    console.log(`tarball ${(kib).toFixed(0)} KiB, ${paths.length} files`);
    expect(kib).toBeLessThan(400);
  });

  it('imports both entry points by name from an ES module and trains one epoch with the installed package', () => {
    writeFileSync(
      join(project, 'train.mjs'),
      `import * as lib from 'webgpu-softmax';
import * as node from 'webgpu-softmax/node';
const { FashionMNIST, createNodeGpu } = node;
const train = (await FashionMNIST.load({ train: true })).subset(1000);
const test = await FashionMNIST.load({ train: false });
const gpu = await createNodeGpu();
const result = await lib.fit(gpu, { train, test }, { model: 'concise', epochs: 1 });
const bytes = lib.encodeCheckpoint(result.checkpoint);
const back = lib.decodeCheckpoint(bytes, 'memory');
const again = await lib.evaluate(gpu, test, back);
const sheet = lib.sheetFromEvaluation(test, again);
const png = node.encodePng(sheet);
gpu.device.destroy();
console.log(JSON.stringify({ lib: Object.keys(lib).length, node: Object.keys(node).sort(), epochs: result.history.length, accuracy: result.test.accuracy, again: again.accuracy, png: [...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), sheet: [sheet.width, sheet.height] }));
`,
    );
    const run = spawnSync(process.execPath, ['train.mjs'], { cwd: project, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(out.lib).toBeGreaterThan(50);
    expect(out.node).toEqual(expect.arrayContaining(['FashionMNIST', 'createNodeGpu', 'downloadFashionMnist', 'loadCheckpoint', 'saveCheckpoint', 'writePng']));
    expect(out.epochs).toBe(1);
    expect(out.accuracy).toBeGreaterThan(0.5); // one epoch on 1,000 images: well past chance (0.1)
    expect(out.again).toBe(out.accuracy); // the checkpoint's bytes hold the trained model exactly
    expect(out.png).toBe('PNG');
    expect(out.sheet[0]).toBeGreaterThan(100);
  });

  it('type-checks a strict TypeScript program (exactOptionalPropertyTypes) against the installed declarations', () => {
    writeFileSync(
      join(project, 'use.ts'),
      `import { fit, FashionMNIST as Split, type Checkpoint, type EpochRecord, type Predictions, predict, MODEL_KINDS, Sequential, nn } from 'webgpu-softmax';
import { createNodeGpu, FashionMNIST, saveCheckpoint, writePng, type NodeGpuOptions } from 'webgpu-softmax/node';
export async function run(root?: string, epochs?: number): Promise<number> {
  // Optional fields set to undefined, as code passing its own optional values through writes them.
  const { train, test } = await FashionMNIST.splits({ root, download: undefined, onProgress: undefined });
  const asSplit: Split = train;
  const choice: NodeGpuOptions = { adapter: undefined, powerPreference: 'low-power' };
  const gpu = await createNodeGpu(choice);
  const seen: EpochRecord[] = [];
  const result = await fit(gpu, { train: asSplit.subset(100), test }, { model: MODEL_KINDS[0], epochs, limit: undefined, batchSize: 50 }, { onEpoch: (r) => void seen.push(r), onBatch: undefined });
  const checkpoint: Checkpoint = result.checkpoint;
  saveCheckpoint('out', checkpoint);
  const p: Predictions = await predict(gpu, checkpoint, test.get(0).image);
  const layers: typeof Sequential = Sequential;
  const net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10));
  void layers;
  void net;
  await writePng('x.png', { width: 1, height: 1, data: new Uint8ClampedArray(4) });
  // @ts-expect-error: a label is a number
  const wrong: string = test.get(0).label;
  void wrong;
  return p.probabilities[0] + seen.length;
}
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, exactOptionalPropertyTypes: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', skipLibCheck: false, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] },
        files: ['use.ts'],
      }),
    );
    const run = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  it("type-checks a browser program against 'webgpu-softmax' with no Node types at all (no @types/node)", () => {
    writeFileSync(
      join(project, 'browser.ts'),
      `import { acquireGpu, fit, predict, FashionMNIST, shaderSourceFromFiles, decodeCheckpoint, type FitOptions } from 'webgpu-softmax';
export async function run(files: Record<string, string>, data: Record<'trainImages' | 'trainLabels' | 'testImages' | 'testLabels', Uint8Array>, saved: ArrayBuffer, epochs?: number): Promise<number> {
  const gpu = await acquireGpu(navigator.gpu, shaderSourceFromFiles(files), { powerPreference: undefined });
  const { train, test } = await FashionMNIST.decode(data);
  const options: FitOptions = { model: 'lenet', modelOptions: { activation: 'relu', pool: 'max' }, epochs, earlyStopping: { patience: 2, restoreBest: undefined } };
  const result = await fit(gpu, { train, test }, options, { onBatch: ({ batch, batches }) => void (batch / batches) });
  const p = await predict(gpu, decodeCheckpoint(saved), test.get(0).image);
  return p.labels[0] + result.history.length;
}
`,
    );
    // No "types": the default would take every @types package installed; [] takes none, as in a browser project.
    writeFileSync(
      join(project, 'tsconfig.browser.json'),
      JSON.stringify({
        compilerOptions: { strict: true, exactOptionalPropertyTypes: true, noEmit: true, target: 'ES2022', lib: ['ES2022', 'DOM'], module: 'ESNext', moduleResolution: 'Bundler', skipLibCheck: false, types: [] },
        files: ['browser.ts'],
      }),
    );
    const run = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.browser.json'], { cwd: project, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  it('runs its CLI with npx', () => {
    const run = spawnSync('npx', ['webgpu-softmax', '--help'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/webgpu-softmax <command>/);
    expect(run.stdout).toMatch(/\btrain\b/);
  });

  it('the installed package.json names its entry points', () => {
    const pkg = JSON.parse(readFileSync(join(project, 'node_modules/webgpu-softmax/package.json'), 'utf8'));
    expect(Object.keys(pkg.exports)).toEqual(expect.arrayContaining(['.', './node']));
  });
});
