/**
 * Ctrl-C and --resume through the real CLI: SIGINT finishes the epoch in flight, keeps its checkpoint and exits
 * 130; --resume then continues bit for bit as if the run had never stopped.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../src/model/checkpoint.js';
import { loadCheckpoint } from '../../src/model/checkpoint_file.js';
import { runCli } from '../cli/run.js';

const tempDir = (what: string) => mkdtempSync(join(tmpdir(), `webgpu-softmax-${what}-`));
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** W and b bit for bit, and the same per-epoch figures (the seconds aside). */
function expectSameRun(a: Checkpoint, b: Checkpoint): void {
  expect(a.meta.epoch).toBe(b.meta.epoch);
  for (const name of Object.keys(a.params)) expect(bytes(a.params[name].data).equals(bytes(b.params[name].data)), name).toBe(true);
  const figures = (c: Checkpoint) => c.meta.history.map(({ seconds: _, ...rest }) => rest);
  expect(figures(a)).toEqual(figures(b));
  expect(a.meta.test).toEqual(b.meta.test);
}

describe('--resume continues exactly', () => {
  it('4 epochs + resume to 5 == 5 epochs (the resume repeats none of the first run\'s flags)', async () => {
    const straight = tempDir('straight');
    const split = tempDir('split');
    const flags = ['--limit', '6000', '--seed', '7', '--lr', '0.2', '--batch-size', '200'];
    const [a, b] = await Promise.all([
      runCli(['train', ...flags, '--epochs', '5', '--out', straight]),
      runCli(['train', ...flags, '--epochs', '4', '--out', split]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const r = await runCli(['train', '--resume', split, '--epochs', '5']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`resuming after epoch 4 from ${split}`);
    expect(r.stdout).toMatch(/^model scratch, 6000 training samples, 10000 test samples, batch 200, lr 0.2, seed 7$/m);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('epoch '))).toHaveLength(1);
    expectSameRun(loadCheckpoint(split), loadCheckpoint(straight));
  });
});

describe('Ctrl-C during training', () => {
  it('SIGINT: finishes the epoch, keeps a checkpoint eval accepts, exits 130; resuming matches an uninterrupted run', async () => {
    const out = tempDir('sigint');
    let sent = false;
    const r = await runCli(['train', '--limit', '6000', '--epochs', '1000', '--out', out, '--json'], {
      timeoutMs: 60_000,
      onStderr: (_, kill) => {
        if (!sent && /^epoch 1, /m.test(_)) {
          sent = true;
          kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted: finishing this epoch, then saving a checkpoint (Ctrl-C again to quit at once)\n');
    const result = JSON.parse(r.stdout) as { epochs: unknown[]; stopped: boolean; checkpoint: string };
    expect(result.stopped).toBe(true);
    expect(result.checkpoint).toBe(join(out, 'model.safetensors'));
    const ck = loadCheckpoint(out);
    const stoppedAt = ck.meta.epoch;
    expect(stoppedAt).toBeGreaterThanOrEqual(1);
    expect(stoppedAt).toBeLessThan(1000);
    expect(result.epochs).toHaveLength(stoppedAt);
    expect(r.stderr).toContain(`stopped after epoch ${stoppedAt}; resume with --resume ${out}\n`);
    expect(readdirSync(out).filter((f) => f.includes('.tmp-') || f === 'train.lock')).toEqual([]); // the lock goes too

    const e = await runCli(['eval', '--model', out, '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).accuracy).toBe(ck.meta.test!.accuracy);

    // One more epoch after the interruption equals the same number of epochs in one go.
    const straight = tempDir('sigint-straight');
    const [resumed, whole] = await Promise.all([
      runCli(['train', '--resume', out, '--epochs', String(stoppedAt + 1)]),
      runCli(['train', '--limit', '6000', '--epochs', String(stoppedAt + 1), '--out', straight]),
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(whole.code, whole.stderr).toBe(0);
    expectSameRun(loadCheckpoint(out), loadCheckpoint(straight));
  });

  it('a second SIGINT quits at once, exit 130, and the checkpoint on disk is still whole', async () => {
    const out = tempDir('sigint2');
    let sent = 0;
    // The whole training set, so the second SIGINT lands while the epoch the first one let finish is still running.
    const r = await runCli(['train', '--epochs', '1000', '--out', out, '--json'], {
      timeoutMs: 60_000,
      onStderr: (chunk, kill) => {
        if (sent === 0 && /^epoch 1, /m.test(chunk)) {
          sent = 1;
          kill('SIGINT');
        } else if (sent === 1 && /^interrupted: /m.test(chunk)) {
          sent = 2;
          kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(2);
    expect(r.code).toBe(130);
    expect(r.stderr).not.toMatch(/^stopped after/m); // it did not wait for the epoch
    expect(r.stdout).toBe('');
    expect(loadCheckpoint(out).meta.epoch).toBeGreaterThanOrEqual(1);
    expect(readdirSync(out)).not.toContain('train.lock'); // process.exit still releases the lock
  });
});
