/**
 * The examples are programs a user would write against the public API ('webgpu-softmax', resolved through the
 * package's own `exports`): each compiles (examples/tsconfig.json, strict, against dist/'s declarations), runs one
 * epoch on the first 2,000 training samples, and prints the same figures as the CLI with the same settings.
 */
import { execFileSync, spawnSync } from 'node:child_process';
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
const runs = new Map<string, ReturnType<typeof spawnSync<string>>>();
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
});
