/**
 * Optimizer state in checkpoints (issue 21): a run with momentum or Adam, stopped after 1 epoch and resumed to 2,
 * equals the 2-epoch run to the last digit, parameters and optimizer state bit for bit; the optimizer flags are
 * refused where they make no sense, each in one line with exit code 2.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../src/model/checkpoint.js';
import { loadCheckpoint } from '../../src/model/checkpoint_file.js';
import { runCli } from '../cli/run.js';

const tempDir = (what: string) => mkdtempSync(join(tmpdir(), `webgpu-softmax-${what}-`));
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function expectSameTensors(a: Record<string, { data: Float32Array }>, b: Record<string, { data: Float32Array }>, what: string): void {
  expect(Object.keys(a), what).toEqual(Object.keys(b));
  for (const name of Object.keys(a)) expect(bytes(a[name].data).equals(bytes(b[name].data)), `${what} ${name} bit for bit`).toBe(true);
}

const figures = (c: Checkpoint) => c.meta.history.map(({ seconds: _, ...rest }) => rest);

describe('1 epoch + --resume to 2 == 2 epochs, with the optimizer state', () => {
  const cases: Array<[string[], string[]]> = [
    // The case: train --model mlp --optimizer adam --lr 0.001
    [['--model', 'mlp', '--optimizer', 'adam', '--lr', '0.001'], ['W1.exp_avg', 'W1.exp_avg_sq', 'b2.exp_avg_sq', 'optimizer.step']],
    [['--model', 'lenet', '--activation', 'relu', '--optimizer', 'sgd', '--momentum', '0.9', '--lr', '0.01'], ['0.weight.momentum_buffer', '11.bias.momentum_buffer']],
    // Softmax regression leaves its fused SGD for its layer kernels, whose 1.weight and 1.bias the optimizer updates.
    [['--model', 'concise', '--optimizer', 'adam', '--betas', '0.8,0.99', '--eps', '1e-6'], ['1.weight.exp_avg', '1.bias.exp_avg_sq', 'optimizer.step']],
  ];
  for (const [flags, someState] of cases) {
    it(flags.join(' '), async () => {
      const straight = tempDir('optimizer-straight');
      const split = tempDir('optimizer-split');
      const common = [...flags, '--limit', '1024', '--batch-size', '128', '--json'];
      const [a, b] = await Promise.all([runCli(['train', ...common, '--epochs', '2', '--out', straight]), runCli(['train', ...common, '--epochs', '1', '--out', split])]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      // Nothing but the directory and the new total: the optimizer, its settings and its state come from the checkpoint.
      const r = await runCli(['train', '--resume', split, '--epochs', '2', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const [whole, resumed] = [loadCheckpoint(straight), loadCheckpoint(split)];
      expect(resumed.meta.optimizer).toEqual(whole.meta.optimizer);
      expect(whole.meta.optimizer?.kind).toBe(flags[flags.indexOf('--optimizer') + 1]);
      expectSameTensors(resumed.params, whole.params, 'parameter');
      expect(Object.keys(whole.optimizerState ?? {})).toEqual(expect.arrayContaining(someState));
      expectSameTensors(resumed.optimizerState ?? {}, whole.optimizerState ?? {}, 'optimizer state');
      if (whole.optimizerState?.['optimizer.step']) expect([...whole.optimizerState['optimizer.step'].data]).toEqual([16]); // 2 epochs of 8 steps
      expect(figures(resumed)).toEqual(figures(whole));
      // What the two runs printed: the same epoch-2 loss and accuracies, to the last digit.
      const last = (out: string) => JSON.parse(out).epochs.at(-1);
      const { seconds: _a, ...x } = last(a.stdout);
      const { seconds: _b, ...y } = last(r.stdout);
      expect(y).toEqual(x);
    });
  }

  it('without its state a resumed Adam run is a different run (the state is what makes it exact)', async () => {
    const dir = tempDir('optimizer-stateless');
    const common = ['--model', 'mlp', '--optimizer', 'adam', '--limit', '512', '--batch-size', '128'];
    const first = await runCli(['train', ...common, '--epochs', '1', '--out', dir]);
    expect(first.code, first.stderr).toBe(0);
    const straight = tempDir('optimizer-stateless-straight');
    const whole = await runCli(['train', ...common, '--epochs', '2', '--out', straight]);
    expect(whole.code, whole.stderr).toBe(0);
    // The same checkpoint with its state dropped: the moments and t start again from zero.
    const { saveCheckpoint } = await import('../../src/model/checkpoint_file.js');
    const ck = loadCheckpoint(dir);
    const stateless = tempDir('optimizer-stateless-copy');
    saveCheckpoint(stateless, { params: ck.params, meta: ck.meta });
    const r = await runCli(['train', '--resume', stateless, '--epochs', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(bytes(loadCheckpoint(stateless).params.W1.data).equals(bytes(loadCheckpoint(straight).params.W1.data))).toBe(false);
  });
});

describe('optimizer flags that make no sense are refused in one line, exit 2', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--model', 'scratch', '--optimizer', 'adam'], /^error: model scratch writes out plain SGD \(the book's teaching form\) and cannot train with adam, betas 0\.9\/0\.999, eps 1e-8; use model concise, whose parameters any optimizer updates\n$/],
    [['--model', 'mlp-scratch', '--momentum', '0.9'], /^error: model mlp-scratch writes out plain SGD .* cannot train with sgd, momentum 0\.9; use model mlp, /],
    [['--model', 'mlp', '--optimizer', 'adam', '--momentum', '0.9'], /^error: --momentum is SGD's, not adam's \(Adam's momentum is --betas B1,B2\)\n$/],
    [['--model', 'mlp', '--betas', '0.9,0.99'], /^error: --betas is Adam's: add --optimizer adam, or leave it out\n$/],
    [['--model', 'mlp', '--eps', '1e-6', '--betas', '0.9,0.99', '--optimizer', 'sgd'], /^error: --betas and --eps are Adam's/],
    [['--model', 'mlp', '--momentum', '1'], /^error: --momentum must be at least 0 and below 1, got 1\n$/],
    [['--model', 'mlp', '--optimizer', 'adam', '--betas', '0.9'], /^error: --betas must be two numbers, each at least 0 and below 1, as B1,B2 \(e\.g\. 0\.9,0\.999\), not "0\.9"\n$/],
    [['--model', 'mlp', '--optimizer', 'adam', '--betas', '0.9,1'], /^error: --betas must be two numbers/],
    [['--model', 'mlp', '--optimizer', 'rmsprop'], /^error: --optimizer must be one of sgd, adam, got "rmsprop"/],
    [['--model', 'concise', '--kernels', 'fused', '--optimizer', 'adam'], /^error: --kernels fused: they update with plain SGD, not adam, betas 0\.9\/0\.999, eps 1e-8; use --kernels separate or auto\n$/],
  ];
  for (const [flags, message] of cases) {
    it(flags.join(' '), async () => {
      const r = await runCli(['train', ...flags, '--limit', '256', '--epochs', '1']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    });
  }

  it('on --resume, an optimizer flag that contradicts the checkpoint names both', async () => {
    const dir = tempDir('optimizer-contradict');
    const first = await runCli(['train', '--model', 'mlp', '--optimizer', 'adam', '--limit', '256', '--epochs', '1', '--out', dir]);
    expect(first.code, first.stderr).toBe(0);
    const sgd = await runCli(['train', '--resume', dir, '--optimizer', 'sgd', '--epochs', '2']);
    expect(sgd.code).toBe(2);
    expect(sgd.stderr).toBe('error: --optimizer sgd disagrees with the checkpoint being resumed (adam, betas 0.9/0.999, eps 1e-8); leave --optimizer out to resume it\n');
    const betas = await runCli(['train', '--resume', dir, '--betas', '0.5,0.9', '--epochs', '2']);
    expect(betas.code).toBe(2);
    expect(betas.stderr).toMatch(/^error: --betas 0\.5,0\.9 disagrees with the checkpoint being resumed/);
  });
});
