import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run.js';

interface TrainJson {
  model: string;
  epochs: Array<{ epoch: number; loss: number; trainAccuracy: number; testAccuracy: number }>;
  test: { loss: number; accuracy: number; samples: number };
}

// The short LeNet run of the default suite (the 10-epoch sigmoid run is test/acceptance/lenet.test.ts): the
// modern variant (ReLU + max-pool) starts learning within a few steps, where the book's sigmoid LeNet barely
// moves in its first epoch (train acc ~0.1). 4,096 samples = 16 steps at lr 0.5 (its default 0.1 needs more
// steps than a short test has: test acc 0.24 after 16); then --resume for a second epoch, and eval, sheet and
// the pictures from the checkpoint alone. Measured (seed 0): test acc 0.372 after epoch 1, 0.485 after epoch 2
// (0.383 and 0.409 with linear_input_grad and the subgroup conv kernels: 32 steps at lr 0.5 are that sensitive to the order of
// f32 sums, and seeds 1 and 2 stand at 0.12-0.20 after epoch 2 with either), so epoch 2 asks for > 0.3.
describe('train --model lenet (ReLU + max-pool), resume, eval and the pictures from its checkpoint', () => {
  it('1 epoch on 4,096 samples learns (test acc > 0.25), resumes to 2 epochs (> 0.3), and eval reproduces the test figures', async () => {
    const out = mkdtempSync(join(tmpdir(), 'webgpu-softmax-lenet-'));
    const common = ['--limit', '4096', '--out', out, '--json'];
    const r = await runCli(['train', '--model', 'lenet', '--activation', 'relu', '--pool', 'max', '--lr', '0.5', '--epochs', '1', ...common], { timeoutMs: 600_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^model lenet \(relu, max-pool\), 4096 training samples, 10000 test samples, batch 256, lr 0\.5, seed 0$/m);
    const first = JSON.parse(r.stdout.trim()) as TrainJson;
    expect(first.model).toBe('lenet (relu, max-pool)');
    expect(first.epochs).toHaveLength(1);
    expect(first.test.accuracy).toBeGreaterThan(0.25);
    expect(readdirSync(out).sort()).toEqual(['confusion.png', 'curves.png', 'model.safetensors', 'predictions.png', 'weights.png']);

    // Resume: the model and its options come from the checkpoint; a second epoch lowers the loss.
    const again = await runCli(['train', '--resume', out, '--epochs', '2', '--json'], { timeoutMs: 600_000 });
    expect(again.code, again.stderr).toBe(0);
    const second = JSON.parse(again.stdout.trim()) as TrainJson;
    expect(second.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(second.epochs[1].loss).toBeLessThan(second.epochs[0].loss);
    expect(second.test.accuracy).toBeGreaterThan(0.3);

    const e = await runCli(['eval', '--model', out, '--json'], { timeoutMs: 300_000 });
    expect(e.code, e.stderr).toBe(0);
    const evaluation = JSON.parse(e.stdout) as { loss: number; accuracy: number; samples: number };
    expect(evaluation.accuracy).toBe(second.test.accuracy);
    expect(evaluation.loss).toBe(second.test.loss);

    const sheet = join(out, 'sheet.png');
    const s = await runCli(['sheet', '--model', out, '--out', sheet, '--count', '12'], { timeoutMs: 300_000 });
    expect(s.code, s.stderr).toBe(0);
    expect(existsSync(sheet)).toBe(true);
  });

  it('refuses an option LeNet does not read, and a bad value of one it does', async () => {
    const a = await runCli(['train', '--model', 'lenet', '--hidden', '256']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/model lenet has no option --hidden/);
    const b = await runCli(['train', '--model', 'lenet', '--pool', 'median']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--pool/);
  });
});
