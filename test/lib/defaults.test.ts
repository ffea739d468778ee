/**
 * `fit` and the CLI train the same thing for the same settings: for every model and every combination of its
 * choice options (LeNet's activation x pool, softmax regression's kernels...), the settings `fitSettings`
 * resolves equal what the CLI's `train` says it trains with: the default batch size (both refuse it for a
 * 20-sample dataset, naming it), the model and learning rate (the CLI's start line, printed once it has the GPU,
 * before training: the run is stopped there) and the epochs (its --help). The CLI runs for real (dist/, lavapipe),
 * with no hyper-parameter flag but --batch-size, so each default comes from where the CLI takes it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyFiles, writeFiles } from '../data/helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');
/* eslint-disable @typescript-eslint/no-explicit-any */
let lib: any;
let trainSpec: any;
let flagName: (key: string) => string;

beforeAll(async () => {
  lib = await import(join(ROOT, 'dist/src/index.js'));
  ({ trainSpec } = await import(join(ROOT, 'dist/src/cli/train.js')));
  ({ flagName } = await import(join(ROOT, 'dist/src/cli/args.js')));
});

/** Every combination of a model's choice options (the CLI's `choice` flags it reads), and no option at all. */
function optionSets(kind: string): Array<Record<string, string>> {
  const choices = Object.keys(lib.modelDefinition(kind).options)
    .filter((name) => trainSpec.flags[name]?.type === 'choice')
    .map((name) => (trainSpec.flags[name].choices as string[]).map((value) => [name, value] as const));
  const product = choices.reduce<Array<Record<string, string>>>((sets, values) => sets.flatMap((set) => values.map(([k, v]) => ({ ...set, [k]: v }))), [{}]);
  return product.length > 1 ? [{}, ...product] : product;
}

/**
 * Runs `webgpu-softmax train --json` until `until` matches a line of its stderr (then kills it: the figures needed
 * are printed before any training) or it exits; resolves with the match, or null and what it printed.
 */
function cli(args: string[], until: RegExp): Promise<{ match: RegExpMatchArray | null; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'train', ...args, '--json'], { cwd: ROOT, env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' } });
    let stderr = '';
    let match: RegExpMatchArray | null = null;
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      match ??= stderr.match(until);
      if (match) child.kill('SIGKILL');
    });
    child.stdout.resume();
    child.on('close', (code) => resolve({ match, stderr, code }));
  });
}

describe("fit's defaults are the CLI's, for every model and option set", () => {
  const dir = mkdtempSync(join(tmpdir(), 'webgpu-softmax-defaults-'));
  const data = join(dir, 'data');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fitSettings resolves the learning rate, batch size, epochs and model the CLI trains with', async () => {
    const files = tinyFiles(20, 10, 5);
    mkdirSync(data);
    writeFiles(data, files);
    const { train, test } = await lib.FashionMNIST.decode(files);
    const runs = lib.MODEL_KINDS.flatMap((kind: string) => optionSets(kind).map((options) => ({ kind, options })));
    expect(runs.length).toBeGreaterThanOrEqual(lib.MODEL_KINDS.length + 4 + 4); // LeNet's 2x2 and the kernels' 3 at least
    expect(runs).toContainEqual({ kind: 'lenet', options: { activation: 'relu', pool: 'max' } });
    // The CLI's epochs per model, from its --help ("KIND: summary, lr X, N epochs").
    const help = spawnSync(process.execPath, [CLI, 'train', '--help'], { encoding: 'utf8' }).stdout;
    const compared: string[] = [];
    // Two CLIs at a time (the machine's two cores).
    const queue = runs.map((run: { kind: string; options: Record<string, string> }) => async () => {
      const flags = ['--data', data, '--model', run.kind, ...Object.entries(run.options).flatMap(([k, v]) => [flagName(k), v])];
      const what = `${run.kind} ${JSON.stringify(run.options)}`;
      const given = { train, test };
      // The default batch: both refuse it for 20 samples, naming it (before any GPU work).
      const cliBatch = await cli(flags, /--batch-size (\d+) is larger than the 20 training samples/);
      expect(cliBatch.match, `${what}: ${cliBatch.stderr}`).not.toBeNull();
      let libBatch = '';
      try {
        lib.fitSettings(given, { model: run.kind, modelOptions: run.options });
      } catch (err) {
        libBatch = (err as Error).message.match(/options\.batchSize (\d+) is larger than the 20 training samples/)?.[1] ?? (err as Error).message;
      }
      expect(libBatch, what).toBe(cliBatch.match![1]);
      // The learning rate and the model: the CLI's start line, printed once it has the GPU, before training.
      const start = await cli([...flags, '--batch-size', '4'], /^model (.*), 20 training samples, 10 test samples, batch 4, lr (\S+), seed (\d+)$/m);
      expect(start.match, `${what}: ${start.stderr}`).not.toBeNull();
      const settings = lib.fitSettings(given, { model: run.kind, modelOptions: run.options, batchSize: 4 });
      expect([lib.describeModel(settings.spec), String(settings.lr), String(settings.seed)], what).toEqual(start.match!.slice(1, 4));
      const epochs = help.match(new RegExp(`\\b${run.kind}: [^;]*, lr [^,]+, (\\d+) epochs`))?.[1];
      expect(String(settings.epochs), what).toBe(epochs);
      compared.push(`${what}: lr ${settings.lr}, batch ${libBatch}, ${settings.epochs} epochs`);
    });
    const worker = async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await job();
    };
    await Promise.all([worker(), worker()]);
    expect(compared).toHaveLength(runs.length);
    // The case that once differed: the ReLU + max-pool LeNet trains at the book's 0.1, not the sigmoid LeNet's 0.9.
    expect(compared).toContain('lenet {"activation":"relu","pool":"max"}: lr 0.1, batch 256, 10 epochs');
    expect(compared).toContain('lenet {}: lr 0.9, batch 256, 10 epochs');
  }, 600_000);
});
