/**
 * Bad flags not already in test/cli/usage.test.ts, above all batch sizes past the adapter's limits: each is one
 * line naming the flag (and the limit), a --help hint, exit code 2, and no GPU work.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFashionMnist } from '../../src/data/node.js';
import { GpuError } from '../../src/errors.js';
import { createNodeGpu } from '../../src/gpu/node.js';
import { encodeCheckpoint } from '../../src/model/checkpoint.js';
import { previewLayout } from '../../src/report/preview.js';
import { createImage, MAX_IMAGE_PIXELS } from '../../src/report/raster.js';
import { sheetLayout } from '../../src/report/sheet.js';
import { train } from '../../src/train/loop.js';
import { batchSizeProblem } from '../../src/gpu/tuning.js';
import { runCli } from '../cli/run.js';
import { fashionMnistSpec, modelDefinition } from '../../src/model/registry.js';

const initialParameters = (seed: number) => modelDefinition('scratch').init(fashionMnistSpec('scratch'), seed);

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
    // An unset shell variable: `--out "$OUT"` passes an empty string, for any command and any kind of flag.
    [['train', '--out', ''], `--out needs a value, got an empty string (an unset shell variable?) ${HINT}`],
    [['train', '--resume', ''], `--resume needs a value, got an empty string (an unset shell variable?) ${HINT}`],
    [['train', '--model='], `--model needs a value, got an empty string (an unset shell variable?) ${HINT}`],
    [['train', '--epochs', ''], `--epochs needs a value, got an empty string (an unset shell variable?) ${HINT}`],
    [['eval', '--model', ''], '--model needs a value, got an empty string (an unset shell variable?) (see `webgpu-softmax eval --help`)'],
    [['sheet', '--model', 'x', '--out', ''], '--out needs a value, got an empty string (an unset shell variable?) (see `webgpu-softmax sheet --help`)'],
    [['data', 'preview', '--out', ''], '--out needs a value, got an empty string (an unset shell variable?) (see `webgpu-softmax data preview --help`)'],
    [['data', 'download', '--dir', ''], '--dir needs a value, got an empty string (an unset shell variable?) (see `webgpu-softmax data download --help`)'],
    // Plain decimals only: Number() takes these, the flags do not.
    [['train', '--epochs', '0x2'], `--epochs needs a number, got "0x2" ${HINT}`],
    [['train', '--epochs', ' 64'], `--epochs needs a number, got " 64" ${HINT}`],
    [['train', '--lr', '0b1'], `--lr needs a number, got "0b1" ${HINT}`],
    // A value forgotten before the next flag: one line, not parseArgs' three.
    [['train', '--out', '--limit', '10'], `--out needs a value (to give one that starts with "-", write --out=VALUE) ${HINT}`],
    [['data', 'download', '--url', 'notaurl'], '--url needs an absolute http:// or https:// URL, got "notaurl" (see `webgpu-softmax data download --help`)'],
    [['data', 'download', '--url', 'ftp://example.com/'], '--url needs an http:// or https:// URL, got "ftp://example.com/" (ftp) (see `webgpu-softmax data download --help`)'],
    // 2^31 - 1 ms is the longest a timer holds; Node turns a longer one into 1 ms.
    [['data', 'download', '--timeout', '2147484'], '--timeout must be at most 2147483, got 2147484 (see `webgpu-softmax data download --help`)'],
  ];
  for (const [args, message] of bad) {
    it(args.map((a) => (a === '' ? '""' : a)).join(' '), async () => {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(errors(r.stderr)).toEqual([`error: ${message}`]);
      expect(r.stdout).toBe('');
    });
  }
});

// Whether this adapter refuses a 60,000-image f32 batch, known before the tests are declared: where its bindings
// hold the whole training set, the two refusal tests below have nothing to refuse and are skipped, not passed.
const fullBatchProblem = await (async () => {
  const gpu = await createNodeGpu();
  const problem = batchSizeProblem(gpu.device.limits, 60000, 784);
  gpu.device.destroy();
  return problem;
})();
const NOTHING_TO_REFUSE = !fullBatchProblem && "this adapter's bindings hold the whole training set as one f32 batch: nothing to refuse";

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

  it.skipIf(NOTHING_TO_REFUSE)('through the CLI: the flag, the limit, the largest batch that fits; exit 2 before any GPU work', async () => {
    const problem = fullBatchProblem!;
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

  it.skipIf(NOTHING_TO_REFUSE)('in-process, train() refuses it with a GpuError before creating anything', async () => {
    const data = await loadFashionMnist();
    const gpu = await createNodeGpu();
    try {
      const options = { spec: fashionMnistSpec('scratch'), epochs: 1, lr: 0.1, batchSize: 60000, seed: 0, limit: null };
      const problem = batchSizeProblem(gpu.device.limits, 60000, 784);
      await expect(train(gpu, data, options)).rejects.toThrow(new GpuError(`batch size 60000 ${problem}`));
    } finally {
      gpu.device.destroy();
    }
  });
});

describe('picture flags that together ask for too big an image: refused before any data or GPU work', () => {
  const cases: Array<[string[], { width: number; height: number }, string]> = [
    [['sheet', '--model', 'no-such-model', '--out', 'x.png'], sheetLayout({ count: 10000, columns: 100, scale: 16 }), 'sheet'],
    [['data', 'preview', '--out', 'x.png', '--data', 'no-such-dir'], previewLayout({ count: 10000, columns: 100, scale: 16 }), 'data preview'],
  ];
  for (const [args, size, command] of cases) {
    it(`${command} --count 10000 --columns 100 --scale 16 (each in range; ${((size.width * size.height * 4) / 1e9).toFixed(1)} GB together)`, async () => {
      const r = await runCli([...args, '--count', '10000', '--columns', '100', '--scale', '16']);
      expect(r.code).toBe(2);
      const megapixels = ((size.width * size.height) / 1e6).toFixed(0);
      // The message comes first: the missing checkpoint / data directory is not even looked at.
      expect(errors(r.stderr)).toEqual([
        `error: --count 10000, --columns 100 and --scale 16 ask for a ${size.width}x${size.height} picture (${megapixels} megapixels), more than the 64-megapixel limit; lower one of them (see \`webgpu-softmax ${command} --help\`)`,
      ]);
    });
  }

  it('the limit is the one createImage keeps, and the default pictures are far below it', () => {
    expect(MAX_IMAGE_PIXELS).toBe(64e6);
    expect(() => createImage(8001, 8000)).toThrow(RangeError);
    const sheet = sheetLayout({ count: 36, columns: 12, scale: 3 });
    expect(sheet.width * sheet.height).toBeLessThan(MAX_IMAGE_PIXELS / 100);
  });
});

describe('--resume with --epochs at or below the epochs already done', () => {
  const dir = mkdtempSync(join(tmpdir(), 'webgpu-softmax-done-'));
  const meta = { model: fashionMnistSpec('scratch'), epoch: 3, config: { lr: 0.1, batchSize: 256, seed: 0, epochs: 3, limit: 1000 }, history: [], test: null };
  writeFileSync(join(dir, 'model.safetensors'), encodeCheckpoint({ params: initialParameters(0), meta }));
  const cases: Array<[string[], string]> = [
    [['--epochs', '2'], `--epochs 2 is not more than the 3 epochs ${dir} has already done`],
    [['--epochs', '3'], `--epochs 3 is not more than the 3 epochs ${dir} has already done`],
    [[], `${dir} has already done all 3 epochs of its run`], // --epochs not given: the run's own 3
  ];
  for (const [extra, what] of cases) {
    it(`train --resume DIR ${extra.join(' ')}: says so, exit 2, nothing trained or written`, async () => {
      const before = readFileSync(join(dir, 'model.safetensors'));
      const r = await runCli(['train', '--resume', dir, ...extra]);
      expect(r.code).toBe(2);
      expect(errors(r.stderr)).toEqual([`error: ${what}; --epochs counts those too, so pass --epochs 4 or more to train on ${HINT}`]);
      expect(r.stdout).toBe('');
      expect(readFileSync(join(dir, 'model.safetensors')).equals(before)).toBe(true);
      expect(readdirSync(dir)).toEqual(['model.safetensors']); // no lock or probe left either
    });
  }
});
