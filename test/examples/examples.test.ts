/**
 * The examples are programs a user would write against the public API ('webgpu-softmax', resolved through the
 * package's own `exports`): each compiles (examples/tsconfig.json, strict, against dist/'s declarations), runs one
 * epoch on the first 2,000 training samples, and prints the same figures as the CLI with the same settings.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SETTINGS = ['--epochs', '1', '--limit', '2000'];

/** The figures of every `epoch N, loss L, train acc A, test acc T` line, as printed. */
function epochLines(text: string): string[][] {
  return [...text.matchAll(/^epoch (\d+), loss ([\d.]+), train acc ([\d.]+), test acc ([\d.]+)/gm)].map((m) => m.slice(1));
}

interface CliJson {
  epochs: Array<{ epoch: number; loss: number; trainAccuracy: number; testAccuracy: number }>;
  test: { loss: number; accuracy: number; samples: number };
}

const EXAMPLES = [
  { file: 'softmax-scratch', cli: ['--model', 'scratch'] },
  { file: 'softmax-concise', cli: ['--model', 'concise', '--kernels', 'separate'] },
];

/** Each example runs once; several tests read its output. */
const runs = new Map<string, SpawnSyncReturns<string>>();
function runExample(file: string) {
  let run = runs.get(file);
  if (!run) {
    run = spawnSync(process.execPath, [`dist/examples/${file}.js`, ...SETTINGS], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    runs.set(file, run);
  }
  return run;
}

describe('examples/', () => {
  beforeAll(() => {
    // dist/src is built by the global setup; the examples compile against its declarations.
    execFileSync('npx', ['tsc', '-p', 'examples/tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  });

  for (const example of EXAMPLES) {
    it(`${example.file} prints the CLI's figures for one epoch on 2,000 samples`, async () => {
      const run = runExample(example.file);
      expect(run.status, run.stderr).toBe(0);
      const cli = await runCli(['train', '--json', ...SETTINGS, ...example.cli]);
      expect(cli.code, cli.stderr).toBe(0);
      const json = JSON.parse(cli.stdout) as CliJson;
      const expected = json.epochs.map((e) => [String(e.epoch), e.loss.toFixed(4), e.trainAccuracy.toFixed(3), e.testAccuracy.toFixed(3)]);
      expect(expected).toHaveLength(1);
      expect(epochLines(run.stdout)).toEqual(expected);
      expect(run.stdout).toContain(`test loss ${json.test.loss.toFixed(4)}, test acc ${json.test.accuracy.toFixed(3)} (10000 samples)`);
    });
  }

  it('softmax-scratch: the CPU functions agree with the GPU, and the prediction lines name real classes', () => {
    const run = runExample('softmax-scratch');
    expect(run.status, run.stderr).toBe(0);
    const gpu = /^test loss [\d.]+, test acc ([\d.]+)/m.exec(run.stdout)?.[1];
    const cpu = /^trained, on the CPU: test acc ([\d.]+)/m.exec(run.stdout)?.[1];
    expect(gpu).toBeDefined();
    expect(Math.abs(Number(cpu) - Number(gpu))).toBeLessThanOrEqual(0.001); // an argmax tie may fall either way
    expect(run.stdout.match(/^image \d: \S.* -> \S.* \(0\.\d\d\)/gm)).toHaveLength(6);
  });

  it('refuses a bad flag with a usage line', () => {
    const run = spawnSync(process.execPath, ['dist/examples/softmax-concise.js', '--epochs', 'x'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/--epochs must be a positive integer, not "x"/);
  });

  it('cnn-adam: a network written in code trains with Adam, and a second process and the CLI rebuild it from its checkpoint alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webgpu-softmax-cnn-'));
    try {
      const trained = spawnSync(process.execPath, ['dist/examples/cnn-adam.js', 'train', dir, '--epochs', '1', '--limit', '2000'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
      expect(trained.status, trained.stderr).toBe(0);
      const loss = Number(/^epoch 1, loss ([\d.]+)/m.exec(trained.stdout)?.[1]);
      expect(loss).toBeLessThan(Math.log(10) - 0.1); // below chance's cross-entropy: it learned
      const accuracy = /^test acc ([\d.]+)$/m.exec(trained.stdout)?.[1];
      const evaluated = spawnSync(process.execPath, ['dist/examples/cnn-adam.js', 'eval', dir], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
      expect(evaluated.status, evaluated.stderr).toBe(0);
      expect(/^test acc ([\d.]+)$/m.exec(evaluated.stdout)?.[1]).toBe(accuracy);
      const cli = await runCli(['eval', '--json', '--model', dir]);
      expect(cli.code, cli.stderr).toBe(0);
      expect((JSON.parse(cli.stdout) as { accuracy: number }).accuracy.toFixed(4)).toBe(accuracy);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("quickstart (the README's program) trains to d2l's figures, and the CLI's eval reads its checkpoint", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /<!-- quickstart -->\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'README.md holds examples/quickstart.ts after <!-- quickstart -->').toBe(readFileSync(join(ROOT, 'examples/quickstart.ts'), 'utf8'));
    const cwd = mkdtempSync(join(tmpdir(), 'webgpu-softmax-quickstart-'));
    try {
      const run = spawnSync(process.execPath, [join(ROOT, 'dist/examples/quickstart.js')], { cwd, encoding: 'utf8', timeout: 180_000 });
      expect(run.status, run.stderr).toBe(0);
      const epochs = [...run.stdout.matchAll(/^epoch (\d), loss ([\d.]+), test acc ([\d.]+)$/gm)];
      expect(epochs.map((m) => Number(m[1]))).toEqual([1, 2, 3, 4, 5]);
      expect(Number(epochs[4][2])).toBeLessThanOrEqual(0.49); // d2l's train loss after 5 epochs: 0.484-0.487
      const [, loss, accuracy] = /^test loss ([\d.]+), test acc ([\d.]+)$/m.exec(run.stdout) ?? [];
      expect(Number(accuracy)).toBeGreaterThanOrEqual(0.8);
      expect(existsSync(join(cwd, 'runs/quickstart/predictions.png'))).toBe(true);
      const cli = await runCli(['eval', '--json', '--model', join(cwd, 'runs/quickstart')]);
      expect(cli.code, cli.stderr).toBe(0);
      const evaluation = JSON.parse(cli.stdout) as { loss: number; accuracy: number };
      expect([evaluation.loss.toFixed(4), evaluation.accuracy.toFixed(3)]).toEqual([loss, accuracy]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
