/**
 * `fit` and the CLI train the same thing for the same settings: for every model and every combination of its
 * choice options (LeNet's activation x pool, softmax regression's kernels...), the settings `fitSettings`
 * resolves (model spec, learning rate, epochs, batch, seed, limit) equal those the CLI's `train` recorded in the
 * checkpoint it wrote. The CLI runs for real (dist/, lavapipe) on a tiny dataset, with no hyper-parameter flag,
 * so each default comes from where the CLI takes it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyFiles, writeFiles } from '../data/helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');
/* eslint-disable @typescript-eslint/no-explicit-any */
let lib: any;
let node: any;
let trainSpec: any;
let flagName: (key: string) => string;

beforeAll(async () => {
  lib = await import(join(ROOT, 'dist/src/index.js'));
  node = await import(join(ROOT, 'dist/src/node.js'));
  ({ trainSpec } = await import(join(ROOT, 'dist/src/cli/train.js')));
  ({ flagName } = await import(join(ROOT, 'dist/src/cli/args.js')));
});

/** Every combination of a model's choice options (the CLI's `choice` flags it reads), and no option at all. */
function optionSets(kind: string): Array<Record<string, string>> {
  const choices = (lib.modelDefinition(kind).optionNames as string[])
    .filter((name) => trainSpec.flags[name]?.type === 'choice')
    .map((name) => (trainSpec.flags[name].choices as string[]).map((value) => [name, value] as const));
  const product = choices.reduce<Array<Record<string, string>>>((sets, values) => sets.flatMap((set) => values.map(([k, v]) => ({ ...set, [k]: v }))), [{}]);
  return product.length > 1 ? [{}, ...product] : product;
}

/** Runs `webgpu-softmax train` and resolves with its exit code and stderr. */
function cli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'train', ...args], { cwd: ROOT, env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' } });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.resume();
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe("fit's defaults are the CLI's, for every model and option set", () => {
  const dir = mkdtempSync(join(tmpdir(), 'webgpu-softmax-defaults-'));
  const data = join(dir, 'data');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fitSettings equals the config the CLI records', async () => {
    const files = tinyFiles(20, 10, 5);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(data);
    writeFiles(data, files);
    const { train, test } = await lib.FashionMNIST.decode(files);
    const runs = lib.MODEL_KINDS.flatMap((kind: string) => optionSets(kind).map((options) => ({ kind, options })));
    expect(runs.length).toBeGreaterThanOrEqual(lib.MODEL_KINDS.length + 4 + 4); // LeNet's 2x2 and the kernels' 3 at least
    expect(runs).toContainEqual({ kind: 'lenet', options: { activation: 'relu', pool: 'max' } });
    const compared: string[] = [];
    // Two CLIs at a time (the machine's two cores).
    const queue = runs.map((run: { kind: string; options: Record<string, string> }, i: number) => async () => {
      const out = join(dir, `run${i}`);
      const flags = Object.entries(run.options).flatMap(([k, v]) => [flagName(k), v]);
      const result = await cli(['--data', data, '--out', out, '--model', run.kind, '--batch-size', '10', ...flags]);
      expect(result.code, `${run.kind} ${flags.join(' ')}: ${result.stderr}`).toBe(0);
      const recorded = node.loadCheckpoint(out).meta;
      const settings = lib.fitSettings({ train, test }, { model: run.kind, modelOptions: run.options, batchSize: 10 });
      const what = `${run.kind} ${JSON.stringify(run.options)}`;
      expect(settings.spec, what).toEqual(recorded.model);
      expect({ lr: settings.lr, epochs: settings.epochs, batchSize: settings.batchSize, seed: settings.seed, limit: settings.limit }, what).toEqual(recorded.config);
      expect(settings.lr, what).toBe(lib.modelDefaults(settings.spec).lr);
      compared.push(`${what}: lr ${settings.lr}, ${settings.epochs} epochs`);
    });
    const worker = async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await job();
    };
    await Promise.all([worker(), worker()]);
    expect(compared).toHaveLength(runs.length);
    // The case that once differed: the ReLU + max-pool LeNet trains at the book's 0.1, not the sigmoid LeNet's 0.9.
    expect(compared).toContain('lenet {"activation":"relu","pool":"max"}: lr 0.1, 10 epochs');
    expect(compared).toContain('lenet {}: lr 0.9, 10 epochs');
  }, 600_000);
});
