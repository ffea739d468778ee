/**
 * Bad flags not already in test/cli/usage.test.ts, above all batch sizes past the adapter's limits: each is one
 * line naming the flag (and the limit), a --help hint, exit code 2, and no GPU work.
 */
import { fashionMnistSpec } from '../../src/model/registry.js';
import { describe, expect, it } from 'vitest';
import { loadFashionMnist } from '../../src/data/node.js';
import { GpuError } from '../../src/errors.js';
import { createNodeGpu } from '../../src/gpu/node.js';
import { train } from '../../src/train/loop.js';
import { batchSizeProblem } from '../../src/gpu/tuning.js';
import { runCli } from '../cli/run.js';

const HINT = '(see `webgpu-softmax train --help`)';

/** stderr without dawn.node's two start-up warnings. */
const errors = (stderr: string) => stderr.split('\n').filter((l) => l && !/^Warning: max\w+ artificially reduced/.test(l));

describe('flag errors: one line, --help hint, exit 2', () => {
  const bad: Array<[string[], string]> = [
    [['train', '--epochs', '-1'], `--epochs must be at least 1, got -1 ${HINT}`],
    [['train', '--epochs'], `--epochs needs a value ${HINT}`],
    [['train', '--limit', '0'], `--limit must be at least 1, got 0 ${HINT}`],
    [['train', '--limit', '100000'], `--limit 100000 is more than the 60000 training samples ${HINT}`],
    [['train', '--seed', '-1'], `--seed must be at least 0, got -1 ${HINT}`],
    [['train', '--lr', 'abc'], `--lr needs a number, got "abc" ${HINT}`],
    [['train', '--lr', '0'], `--lr must be greater than 0, got 0 ${HINT}`],
    [['train', '--lr', 'Infinity'], `--lr needs a number, got "Infinity" ${HINT}`],
    [['train', '--lr', 'NaN'], `--lr needs a number, got "NaN" ${HINT}`],
    [['train', '--batch-size', '-5'], `--batch-size must be at least 1, got -5 ${HINT}`],
    [['train', '--batch-size', '100000'], `--batch-size must be at most 65536, got 100000 ${HINT}`],
    [['train', '--batch-size', '60001'], `--batch-size 60001 is larger than the 60000 training samples ${HINT}`],
    [['train', '--kernels', 'fused', '--batch-size', '2048'], `--kernels fused: a batch of 2048 rows of dlogits exceeds a 64 KiB uniform binding (at most 1638 rows); use --kernels separate or auto ${HINT}`],
    [['train', '--json=1'], `--json takes no value ${HINT}`],
    [['train', 'now'], `Unexpected argument 'now'. This command does not take positional arguments ${HINT}`],
    [['eval', '--model'], '--model needs a value (see `webgpu-softmax eval --help`)'],
    [['eval', '--modle', 'x'], 'unknown flag --modle (see `webgpu-softmax eval --help`)'],
    [['info', '--verbose'], 'unknown flag --verbose (see `webgpu-softmax info --help`)'],
  ];
  for (const [args, message] of bad) {
    it(args.join(' '), async () => {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(errors(r.stderr)).toEqual([`error: ${message}`]);
      expect(r.stdout).toBe('');
    });
  }
});

describe('batch sizes past the adapter\'s limits', () => {
  it('each limit a minibatch can hit is named, with the largest batch that fits', () => {
    const limits = { maxStorageBufferBindingSize: 134217728, maxBufferSize: 268435456, maxComputeWorkgroupsPerDimension: 65535 } as GPUSupportedLimits;
    expect(batchSizeProblem(limits, 42799, 784)).toBeNull();
    expect(batchSizeProblem(limits, 42800, 784)).toBe(
      "needs a 134220800-byte minibatch buffer (42800 x 784 f32), more than this adapter's maxStorageBufferBindingSize (134217728) allows; the largest batch size it can train is 42799",
    );
    expect(batchSizeProblem({ ...limits, maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 27 }, 60000, 784)).toMatch(/maxBufferSize \(134217728\) allows; the largest batch size it can train is 42799$/);
    expect(batchSizeProblem({ ...limits, maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 31 }, 70000, 16)).toBe(
      "needs 70000 workgroups in one dimension, more than this adapter's maxComputeWorkgroupsPerDimension (65535) allows; the largest batch size it can train is 65535",
    );
  });

  it('through the CLI: the flag, the limit, the largest batch that fits; exit 2 before any GPU work', async () => {
    const gpu = await createNodeGpu();
    const limits = gpu.device.limits;
    const problem = batchSizeProblem(limits, 60000, 784);
    gpu.device.destroy();
    if (!problem) return; // an adapter whose bindings hold the whole training set as one f32 batch: nothing to refuse
    const max = Number(/the largest batch size it can train is (\d+)$/.exec(problem)![1]);
    const tooBig = String(max + 1);
    const r = await runCli(['train', '--batch-size', tooBig, '--limit', tooBig]);
    expect(r.code).toBe(2);
    const lines = errors(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^error: --batch-size ${tooBig} needs a \\d+-byte minibatch buffer \\(${tooBig} x 784 f32\\), more than this adapter's (maxStorageBufferBindingSize|maxBufferSize) \\(\\d+\\) allows; the largest batch size it can train is ${max} \\(see \`webgpu-softmax train --help\`\\)$`));
    expect(r.stdout).toBe(''); // not even the adapter line: nothing ran

    // ...and the batch it names does train, without a WebGPU error.
    const ok = await runCli(['train', '--batch-size', String(max), '--limit', String(max), '--epochs', '1', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(errors(ok.stderr).join('\n')).not.toMatch(/error/i);
    expect(JSON.parse(ok.stdout).epochs[0].loss).toBeGreaterThan(0);
  });

  it('in-process, train() refuses it with a GpuError before creating anything', async () => {
    const data = await loadFashionMnist();
    const gpu = await createNodeGpu();
    try {
      const options = { spec: fashionMnistSpec('scratch'), epochs: 1, lr: 0.1, batchSize: 60000, seed: 0, limit: null };
      const problem = batchSizeProblem(gpu.device.limits, 60000, 784);
      if (!problem) return;
      await expect(train(gpu, data, options)).rejects.toThrow(new GpuError(`batch size 60000 ${problem}`));
    } finally {
      gpu.device.destroy();
    }
  });
});
