import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run.js';

// Issue 12's acceptance run: the book's sigmoid LeNet (d2l 6.6) with its defaults (10 epochs, lr 0.9, batch
// 256, Xavier-uniform) on all of Fashion-MNIST. PyTorch ends at train loss 0.471, train acc 0.824, test acc
// 0.808; ours must reach train acc >= 0.80 and test acc >= 0.77 (measured: 0.4782 / 0.819 / 0.806). Opt-in
// (`npm run test:acceptance`): on lavapipe with 2 quiet vCPUs an epoch takes ~10 s (1.8 minutes in all with the
// eval, 2026-12-04; several times that on a loaded machine). Sigmoid LeNet at lr 0.9 barely moves in epoch 1
// (train acc ~0.1), then learns: a shorter run would need a looser bar.
describe('acceptance: sigmoid LeNet, 10 epochs with the book\'s defaults', () => {
  it('train acc >= 0.80, test acc >= 0.77, and eval reproduces the test figures from the checkpoint', async () => {
    const out = mkdtempSync(join(tmpdir(), 'webgpu-softmax-lenet-acceptance-'));
    const r = await runCli(['train', '--model', 'lenet', '--out', out, '--json'], { timeoutMs: 3 * 3600_000 });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim()) as { epochs: Array<{ loss: number; trainAccuracy: number; testAccuracy: number; seconds: number }>; test: { loss: number; accuracy: number } };
    expect(r.stderr).toMatch(/lr 0\.9, seed 0$/m);
    expect(result.epochs).toHaveLength(10);
    const last = result.epochs[9];
    console.log(`sigmoid LeNet, epoch 10: loss ${last.loss.toFixed(4)}, train acc ${last.trainAccuracy.toFixed(3)}, test acc ${last.testAccuracy.toFixed(3)}; s/epoch ${result.epochs.map((e) => e.seconds.toFixed(0)).join(' ')}`);
    expect(last.trainAccuracy).toBeGreaterThanOrEqual(0.8);
    expect(last.testAccuracy).toBeGreaterThanOrEqual(0.77);
    const e = await runCli(['eval', '--model', out, '--json'], { timeoutMs: 600_000 });
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).accuracy).toBe(result.test.accuracy);
  }, 4 * 3600_000);
});
