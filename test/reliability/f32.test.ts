/**
 * Numbers that vanish in f32 (issue 25, root 8). Every real-valued hyper-parameter reaches the shaders as an
 * f32: `--lr 1e-50` is 0 there (the weights never change, silently) and `--lr 1e39` is Infinity. Such values
 * are refused as flags (src/cli/args.ts, through src/model/limits.ts's one check). A divergence names the
 * setting that caused it where that is knowable: weight decay with lr * wd >= 2 grows the weights by itself.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { f32Problem } from '../../src/model/limits.js';
import { runCli } from '../cli/run.js';
import { tinyFiles, writeFiles } from '../data/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'webgpu-softmax-f32-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, 'data');
mkdirSync(data);
writeFiles(data, tinyFiles(64, 16), false);
const errors = (stderr: string) => stderr.split('\n').filter((l) => l && !/^Warning: max\w+ artificially reduced/.test(l));
const HINT = '(see `webgpu-softmax train --help`)';

describe('f32Problem: what the GPU would not see as given', () => {
  it('refuses 0-in-f32 and Infinity-in-f32, takes the normal range and 0 itself', () => {
    expect(f32Problem(1e-50)).toMatch(/^1e-50 is 0 in the GPU's 32-bit floats/);
    expect(f32Problem(1e-39)).toMatch(/is 0 in the GPU's 32-bit floats/); // subnormal: a GPU may flush it to 0
    expect(f32Problem(3.5e38)).toMatch(/^3\.5e\+38 is Infinity in the GPU's 32-bit floats/);
    for (const ok of [0, 1.2e-38, 1e-30, 0.1, 3.4e38]) expect(f32Problem(ok)).toBeNull();
  });
});

describe('flags that vanish in f32 are refused before any work', () => {
  const cases: Array<[string[], string]> = [
    [['--lr', '1e-50'], `--lr 1e-50 is 0 in the GPU's 32-bit floats (the smallest they hold reliably is 1.2e-38)`],
    [['--lr', '1e39'], `--lr 1e+39 is Infinity in the GPU's 32-bit floats (the largest they hold is 3.4e38)`],
    [['--model', 'mlp', '--weight-decay', '1e-50'], `--weight-decay 1e-50 is 0 in the GPU's 32-bit floats (the smallest they hold reliably is 1.2e-38)`],
    [['--model', 'mlp', '--weight-decay', '1e39'], `--weight-decay 1e+39 is Infinity in the GPU's 32-bit floats (the largest they hold is 3.4e38)`],
  ];
  for (const [argv, message] of cases) {
    it(argv.join(' '), async () => {
      const r = await runCli(['train', ...argv, '--data', data, '--epochs', '1']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(errors(r.stderr)).toEqual([`error: ${message} ${HINT}`]);
    });
  }
});

describe('a divergence names its cause where it is knowable', () => {
  it('--weight-decay 1e30 (lr 0.1): the weight decay is blamed, not the learning rate', async () => {
    const r = await runCli(['train', '--model', 'mlp', '--hidden', '8', '--weight-decay', '1e30', '--data', data, '--batch-size', '16', '--epochs', '1']);
    expect(r.code).toBe(1);
    expect(errors(r.stderr)).toEqual([
      expect.stringMatching(/^error: training diverged in epoch 1: the \w+( \w+)? became (NaN|-?Infinity) \(--weight-decay 1e\+30 is too high for learning rate 0\.1: each step multiplies the weights by 1 - lr x weight decay = -1e\+29\)$/),
    ]);
  });

  it('--lr 1e35 with no weight decay still blames the learning rate', async () => {
    const r = await runCli(['train', '--lr', '1e35', '--data', data, '--batch-size', '16', '--epochs', '1']);
    expect(r.code).toBe(1);
    expect(errors(r.stderr)).toEqual([expect.stringMatching(/^error: training diverged in epoch 1: .* \(learning rate 1e\+35 is too high\?\)$/)]);
  });
});
