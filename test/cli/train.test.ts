import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run.js';

interface TrainJson {
  adapter: { vendor: string };
  model: string;
  epochs: Array<{ epoch: number; loss: number; trainAccuracy: number; testAccuracy: number; seconds: number }>;
  test: { loss: number; accuracy: number; samples: number };
  checkpoint: string | null;
}

// The acceptance figures after 5 epochs with d2l's defaults on the full training set.
describe('train with the defaults reaches d2l\'s figures, and eval reproduces them from the checkpoint', () => {
  for (const model of ['scratch', 'concise']) {
    it(`${model}: 5 epochs, loss <= 0.490, train acc >= 0.834, test acc >= 0.80`, async () => {
      const out = mkdtempSync(join(tmpdir(), `webgpu-softmax-${model}-`));
      const r = await runCli(['train', '--model', model, '--out', out, '--json'], { timeoutMs: 300_000 });
      expect(r.code, r.stderr).toBe(0);
      // --json: exactly one JSON object on stdout; the human lines went to stderr, without progress-bar noise.
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const result = JSON.parse(lines[0]) as TrainJson;
      expect(r.stderr).toMatch(/^adapter: /m);
      expect(r.stderr).toMatch(/^epoch 1, loss \d\.\d{4}, train acc \d\.\d{3}, test acc \d\.\d{3}, \d+\.\d{2} s$/m);
      expect(r.stderr).not.toContain('\r');
      expect(result.model).toBe(model);
      expect(result.epochs).toHaveLength(5);
      const last = result.epochs[4];
      expect(last.loss).toBeLessThanOrEqual(0.49);
      expect(last.trainAccuracy).toBeGreaterThanOrEqual(0.834);
      expect(last.testAccuracy).toBeGreaterThanOrEqual(0.8);
      expect(result.epochs[0].loss).toBeGreaterThan(last.loss);
      expect(readdirSync(out).sort()).toEqual(['confusion.png', 'curves.png', 'model.safetensors', 'predictions.png', 'weights.png']);

      const e = await runCli(['eval', '--model', out, '--json']);
      expect(e.code, e.stderr).toBe(0);
      const evaluation = JSON.parse(e.stdout) as { loss: number; accuracy: number; samples: number };
      expect(evaluation.samples).toBe(10000);
      expect(evaluation.accuracy).toBe(last.testAccuracy);
      expect(evaluation.loss).toBe(result.test.loss);
    });
  }
});

describe("train refuses, at the adapter's storage binding, a model no batch size fits", () => {
  it('a parameter past it (VGG-11 at width divisor 1: its 25088x4096 weight), in one line, exit 2, before training', async () => {
    const out = mkdtempSync(join(tmpdir(), 'wgs-unfit-'));
    const r = await runCli(['train', '--model', 'vgg11', '--width-divisor', '1', '--limit', '256', '--epochs', '1', '--out', out]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('error:'))).toEqual([
      'error: model vgg11: parameter 6.weight is 392 MiB, past the 128 MiB a storage binding holds; no batch size fits: make it smaller (--width-divisor or --resize) (see `webgpu-softmax train --help`)',
    ]);
    expect(readdirSync(out)).toEqual([]); // nothing written
  });
});
