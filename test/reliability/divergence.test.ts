/**
 * Divergence through the real CLI: a learning rate far too high makes the loss, the weights or the test loss
 * non-finite. The trainer notices at the end of the epoch (the epoch's loss sum, accumulated on the GPU and read
 * once, is the flag; the weights and the test loss are read then anyway), stops with one line, exits 1, and
 * leaves the last good checkpoint as it was.
 *
 * Why not --lr 1e4: softmax regression on pixels in [0, 1] has gradients bounded by 1, so the weights grow only
 * linearly in lr and the scratch model's loss is clamped at -log(FLT_MIN) = 87.3; lr 1e4 or even 1e30 gives a bad
 * but finite model. The f32 weights overflow from about lr 1e34 (measured on lavapipe, both kernel paths).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/model/checkpoint_file.js';
import { runCli } from '../cli/run.js';

const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('error: '));
const epochLines = (stderr: string) => stderr.split('\n').filter((l) => /^epoch \d+, /.test(l));
const DIVERGED = (epoch: number | string, lr: string) =>
  new RegExp(`^error: training diverged in epoch ${epoch}: the (loss|weights|test loss) became (NaN|-?Infinity) \\(learning rate ${lr.replace('+', '\\+')} is too high\\?\\)`);

describe('a learning rate far too high', () => {
  // The concise model's loss (log-sum-exp) overflows; the scratch model's loss is clamped, so its weights are
  // what gives it away (checked before any checkpoint is written).
  const seen = { scratch: 'the weights became NaN', concise: 'the loss became NaN' };
  for (const model of ['scratch', 'concise'] as const) {
    it(`${model}, --lr 1e35: ${seen[model]} in epoch 1, one line, exit 1, no checkpoint written`, async () => {
      const out = mkdtempSync(join(tmpdir(), `webgpu-softmax-div-${model}-`));
      const r = await runCli(['train', '--model', model, '--lr', '1e35', '--limit', '6000', '--out', out, '--json']);
      expect(r.code).toBe(1);
      expect(errorLines(r.stderr)).toHaveLength(1);
      expect(errorLines(r.stderr)).toEqual([`error: training diverged in epoch 1: ${seen[model]} (learning rate 1e+35 is too high?)`]);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack without --verbose
      expect(r.stdout).toBe(''); // no JSON result for a failed run
      expect(readdirSync(out)).toEqual([]); // nothing good to keep, and nothing bad written
    });
  }

  it('diverging in a later epoch keeps the previous epoch\'s checkpoint, which eval accepts', async () => {
    const out = mkdtempSync(join(tmpdir(), 'webgpu-softmax-div-late-'));
    // On lavapipe the weights overflow in epoch 3 at this rate (epoch 9 at 1e34); any epoch past 1 will do.
    const r = await runCli(['train', '--lr', '1.2e34', '--epochs', '30', '--limit', '6000', '--out', out]);
    expect(r.code).toBe(1);
    const [line] = errorLines(r.stderr);
    const epoch = Number(/diverged in epoch (\d+)/.exec(line)?.[1]);
    expect(epoch).toBeGreaterThan(1);
    expect(line).toMatch(new RegExp(`${DIVERGED(epoch, '1.2e+34').source}; the checkpoint of epoch ${epoch - 1} is kept$`));
    const ck = loadCheckpoint(out); // finite weights, whole file
    expect(ck.meta.epoch).toBe(epoch - 1);
    const lastGood = r.stdout.split('\n').filter((l) => /^epoch \d+, /.test(l)).at(-1)!;
    expect(lastGood).toMatch(new RegExp(`^epoch ${epoch - 1}, `));

    const e = await runCli(['eval', '--model', out, '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).accuracy.toFixed(3)).toBe(/test acc (\d\.\d{3})/.exec(lastGood)![1]);
  });

  it('resumed with a rate that diverges: the checkpoint it resumed from is left byte for byte', async () => {
    const out = mkdtempSync(join(tmpdir(), 'webgpu-softmax-div-resume-'));
    const first = await runCli(['train', '--epochs', '2', '--limit', '6000', '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    const before = readFileSync(join(out, 'model.safetensors'));

    const r = await runCli(['train', '--resume', out, '--epochs', '4', '--lr', '1e35', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('note: --lr 1e+35 differs from the run being resumed, so it will not match an uninterrupted one\n');
    expect(epochLines(r.stderr)).toEqual([]);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(errorLines(r.stderr)[0]).toMatch(new RegExp(`${DIVERGED(3, '1e+35').source}; the checkpoint of epoch 2 is kept$`));
    expect(readFileSync(join(out, 'model.safetensors')).equals(before)).toBe(true);
    expect(readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
