/**
 * --resume continues exactly the run it resumes, for every model and kernel path: the model and its options
 * (e.g. --kernels separate) are stored in the checkpoint and restored, so 1 epoch + a resumed 1 equals 2 epochs
 * bit for bit. A flag given on resume that contradicts the checkpoint is an error naming both.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../src/model/checkpoint.js';
import { loadCheckpoint } from '../../src/model/checkpoint_file.js';
import { MODEL_KINDS } from '../../src/model/registry.js';
import { runCli } from '../cli/run.js';

const tempDir = (what: string) => mkdtempSync(join(tmpdir(), `webgpu-softmax-${what}-`));
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function expectSameRun(a: Checkpoint, b: Checkpoint): void {
  expect(a.meta.model).toEqual(b.meta.model);
  expect(Object.keys(a.params)).toEqual(Object.keys(b.params));
  for (const name of Object.keys(a.params)) expect(bytes(a.params[name].data).equals(bytes(b.params[name].data)), `${name} bit for bit`).toBe(true);
  const figures = (c: Checkpoint) => c.meta.history.map(({ seconds: _, ...rest }) => rest);
  expect(figures(a)).toEqual(figures(b));
}

// Every registered model with its defaults, and softmax regression on its teaching path too.
// Chapter 7's CNNs but BN-LeNet are left out: even at their smallest --resize, 3 runs with the 10,000-image test pass
// take minutes on a loaded lavapipe (past the test timeout); test/nn/models.test.ts checks their steps against the twin.
const SLOW = new Set(['alexnet', 'vgg11', 'nin', 'googlenet', 'resnet18', 'densenet']);
const CASES: Array<[string, string[]]> = [...MODEL_KINDS.filter((kind) => !SLOW.has(kind)).map((kind): [string, string[]] => [kind, []]), ['scratch', ['--kernels', 'separate']], ['concise', ['--kernels', 'separate']]];

describe('1 epoch + --resume to 2 == 2 epochs, bit for bit', () => {
  for (const [model, options] of CASES) {
    it(`--model ${model} ${options.join(' ')}`.trim(), async () => {
      const straight = tempDir('straight');
      const split = tempDir('split');
      const flags = ['--model', model, ...options, '--limit', '1024', '--batch-size', '128', '--lr', '0.1'];
      const [a, b] = await Promise.all([runCli(['train', ...flags, '--epochs', '2', '--out', straight]), runCli(['train', ...flags, '--epochs', '1', '--out', split])]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      // Nothing but the directory and the new total: the model and its options come from the checkpoint.
      const r = await runCli(['train', '--resume', split, '--epochs', '2']);
      expect(r.code, r.stderr).toBe(0);
      // scratch's separate kernels; concise's are the network's layer kernels.
      if (options.includes('separate')) expect(r.stdout).toMatch(/^(separate kernels|layer kernels \(nn\.Sequential\)): /m);
      expectSameRun(loadCheckpoint(split), loadCheckpoint(straight));
    });
  }
});

describe('a flag on resume that contradicts the checkpoint', () => {
  it('--model and --kernels name both values, exit 2, before any training', async () => {
    const dir = tempDir('contradict');
    const first = await runCli(['train', '--model', 'concise', '--kernels', 'separate', '--limit', '512', '--epochs', '1', '--out', dir]);
    expect(first.code, first.stderr).toBe(0);
    const model = await runCli(['train', '--resume', dir, '--model', 'scratch', '--epochs', '2']);
    expect(model.code).toBe(2);
    expect(model.stderr).toBe('error: --model scratch disagrees with the checkpoint being resumed (model concise); leave --model out to resume it\n');
    const kernels = await runCli(['train', '--resume', dir, '--kernels', 'fused', '--epochs', '2']);
    expect(kernels.code).toBe(2);
    expect(kernels.stderr).toBe('error: --kernels fused disagrees with the checkpoint being resumed (--kernels separate); leave --kernels out to resume it\n');
    // Saying what the checkpoint says is no contradiction.
    const same = await runCli(['train', '--resume', dir, '--model', 'concise', '--kernels', 'separate', '--epochs', '2']);
    expect(same.code, same.stderr).toBe(0);
  });
});
