/**
 * A reader or a terminal that goes away (issue 25, roots 4 and 7). `train ... | head -5` and `info | head -1`
 * used to die of "Unhandled 'error' event ... write EPIPE" with a stack trace, mid-epoch; SIGHUP (a closed
 * terminal or SSH session) exited 129 with train.lock left behind and no stopped line. Now a closed stdout is
 * quiet and stops training as a signal does (the running epoch finishes and keeps its checkpoint, exit 141 as
 * SIGPIPE would give), and SIGHUP is a stop signal like SIGTERM (exit 129).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/model/checkpoint_file.js';
import { CLI, runCli } from '../cli/run.js';
import { tinyFiles, writeFiles } from '../data/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'webgpu-softmax-hangup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, 'data');
mkdirSync(data);
writeFiles(data, tinyFiles(512, 16), false);
const errors = (stderr: string) => stderr.split('\n').filter((l) => l && !/^Warning: max\w+ artificially reduced/.test(l));

/**
 * Runs the CLI with its stdout read until `lines` lines have come, then closed, as `| head -N` does; the
 * process goes on writing into the closed pipe.
 */
function runIntoHead(args: string[], lines: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; head: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let head = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d) => {
      head += d;
      if (head.split('\n').length > lines) child.stdout.destroy(); // the reader is gone: the next write gets EPIPE
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, head, stderr });
    });
  });
}

describe('a closed stdout', () => {
  it('train | head -3: no stack trace; the epoch running finishes and keeps its checkpoint; exit 141', async () => {
    const out = join(dir, 'epipe');
    const r = await runIntoHead(['train', '--data', data, '--batch-size', '16', '--epochs', '1000', '--out', out], 3);
    expect(r.signal).toBeNull();
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at /);
    expect(r.code).toBe(141);
    const ck = loadCheckpoint(out);
    expect(ck.meta.epoch).toBeGreaterThanOrEqual(1);
    expect(ck.meta.epoch).toBeLessThan(1000);
    expect(errors(r.stderr)).toEqual([
      'stdout was closed: no more output there; finishing this epoch, then saving a checkpoint',
      `stopped after epoch ${ck.meta.epoch}; resume with --resume ${out}`,
    ]);
    expect(readdirSync(out)).not.toContain('train.lock');
  }, 60_000);

  it('info | head -1: quiet, its usual exit code', async () => {
    const r = await runIntoHead(['info'], 1);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at /);
    expect(errors(r.stderr)).toEqual([]);
    expect(r.code).toBe(0);
  }, 30_000);
});

describe('SIGHUP', () => {
  it('is treated like SIGTERM: the epoch finishes, the checkpoint is kept, the lock removed, a stopped line, exit 129', async () => {
    const out = join(dir, 'sighup');
    let sent = false;
    const r = await runCli(['train', '--data', data, '--batch-size', '16', '--epochs', '1000', '--out', out, '--json'], {
      timeoutMs: 60_000,
      onStderr: (chunk, kill) => {
        if (!sent && /^epoch 1, /m.test(chunk)) {
          sent = true;
          kill('SIGHUP');
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(129);
    const ck = loadCheckpoint(out);
    expect(r.stderr).toContain('hangup (SIGHUP: the terminal closed): finishing this epoch, then saving a checkpoint (a second signal quits at once)\n');
    expect(r.stderr).toContain(`stopped after epoch ${ck.meta.epoch}; resume with --resume ${out}\n`);
    expect(JSON.parse(r.stdout).stopped).toBe(true);
    expect(readdirSync(out)).not.toContain('train.lock');
  }, 60_000);
});
