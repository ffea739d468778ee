/**
 * A checkpoint's metadata (issue 25, roots 1 and 6). Whatever the writer writes the reader reads: the
 * per-epoch history is bounded (the last MAX_HISTORY_EPOCHS epochs), so even the longest run the flags allow
 * (--epochs 100,000) keeps a header inside the reader's 1 MiB, and the writer refuses a header past it rather
 * than write a file nobody can load. And the reader holds the metadata to the flags' own limits
 * (src/model/limits.ts), naming the file: a hand-edited lr of 1e999 or a seed of 2^32 is refused, not trained.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_SHAPE } from '../../src/data/dataset.js';
import { CheckpointError } from '../../src/errors.js';
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint, type EpochRecord } from '../../src/model/checkpoint.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/model/checkpoint_file.js';
import { scratchModel } from '../../src/model/scratch.js';
import { TRAINING_LIMITS } from '../../src/train/limits.js';
import { runCli } from '../cli/run.js';
import { tinyFiles, writeFiles } from '../data/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'webgpu-softmax-meta-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const errors = (stderr: string) => stderr.split('\n').filter((l) => l && !/^Warning: max\w+ artificially reduced/.test(l));

const spec = scratchModel.spec(FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES, {});
const params = scratchModel.init(spec, 0);
const MAX_EPOCHS = TRAINING_LIMITS.epochs.max;

/** An epoch record whose every number prints as long as a double can (17 digits and an exponent). */
const longestRecord = (epoch: number): EpochRecord => ({
  epoch,
  loss: 1.2345678901234567e-100,
  trainAccuracy: 0.12345678901234568,
  testAccuracy: 0.12345678901234568,
  seconds: 12345.678901234567,
});
const meta = (epoch: number, history: EpochRecord[]): Checkpoint['meta'] => ({
  model: spec,
  epoch,
  config: { lr: 0.1, batchSize: 256, seed: 0, epochs: MAX_EPOCHS, limit: null },
  history,
  test: { loss: 0.5, accuracy: 0.8, samples: 10000 },
});

/** Re-encodes a checkpoint with its metadata changed by `edit` (the tensor data stays as it was). */
function withMetadata(bytes: Uint8Array, edit: (m: Record<string, string>) => void): Uint8Array {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  edit(header.__metadata__);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + bytes.length - 8 - length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(bytes.subarray(8 + length), 8 + json.length);
  return out;
}
/** Replaces one field of the "config" metadata with raw JSON text (1e999 is JSON for a number JSON.parse reads as Infinity). */
const configWith = (key: string, raw: string) => (m: Record<string, string>) => {
  m.config = m.config.replace(new RegExp(`"${key}":[^,}]+`), `"${key}":${raw}`);
};

describe('whatever the writer writes, the reader reads', () => {
  it(`the longest run the flags allow (${MAX_EPOCHS} epochs of the longest records) writes a checkpoint that loads`, () => {
    const history = Array.from({ length: MAX_EPOCHS }, (_, i) => longestRecord(i + 1));
    const bytes = encodeCheckpoint({ params, meta: meta(MAX_EPOCHS, history) });
    const back = decodeCheckpoint(bytes, 'long.safetensors');
    expect(back.meta.epoch).toBe(MAX_EPOCHS);
    // The last epochs are kept, each with its own number, so a curve drawn from them is labelled right.
    expect(back.meta.history.length).toBeGreaterThanOrEqual(100);
    expect(back.meta.history.at(-1)).toEqual(longestRecord(MAX_EPOCHS));
    expect(back.meta.history.map((r) => r.epoch)).toEqual(history.slice(-back.meta.history.length).map((r) => r.epoch));
  });

  it('the writer refuses a header the reader would refuse, and nothing is written', () => {
    const many: Checkpoint['params'] = {};
    for (let i = 0; i < 20_000; i++) many[`tensor_with_a_long_name_${i}_${'x'.repeat(40)}`] = { shape: [1], data: new Float32Array(1) };
    expect(() => encodeCheckpoint({ params: many, meta: meta(1, []) })).toThrow(CheckpointError);
    expect(() => encodeCheckpoint({ params: many, meta: meta(1, []) })).toThrow(/^the checkpoint's header would be \d+ bytes, more than the 1048576 a checkpoint may have/);
    const out = join(dir, 'too-big');
    expect(() => saveCheckpoint(out, { params: many, meta: meta(1, []) })).toThrow(/the checkpoint's header would be \d+ bytes/);
    expect(existsSync(join(out, 'model.safetensors'))).toBe(false);
  });

  it(`through the CLI: a run at epoch ${MAX_EPOCHS - 1} with a full history resumes to ${MAX_EPOCHS}, and eval reads what it wrote`, async () => {
    const data = join(dir, 'data');
    mkdirSync(data);
    writeFiles(data, tinyFiles(64, 16), false);
    const run = join(dir, 'long-run');
    const history = Array.from({ length: MAX_EPOCHS - 1 }, (_, i) => longestRecord(i + 1));
    mkdirSync(run);
    writeFileSync(join(run, 'model.safetensors'), encodeCheckpoint({ params, meta: { ...meta(MAX_EPOCHS - 1, history), config: { lr: 0.1, batchSize: 16, seed: 0, epochs: MAX_EPOCHS - 1, limit: null } } }));
    const r = await runCli(['train', '--resume', run, '--epochs', String(MAX_EPOCHS), '--data', data]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^epoch ${MAX_EPOCHS}, `, 'm'));
    const ck = loadCheckpoint(run);
    expect(ck.meta.epoch).toBe(MAX_EPOCHS);
    expect(ck.meta.history.at(-1)!.epoch).toBe(MAX_EPOCHS);
    const e = await runCli(['eval', '--model', run, '--data', data, '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).accuracy).toBe(ck.meta.test!.accuracy);
  }, 60_000);
});

describe('hand-edited metadata is held to the flags\' limits, and the message names the file', () => {
  const good = () => encodeCheckpoint({ params, meta: { ...meta(3, [longestRecord(1)]), config: { lr: 0.1, batchSize: 256, seed: 0, epochs: 5, limit: null } } });
  // [case, edit, the message after "PATH: "]. Exact texts: RELIABILITY.md quotes them.
  const cases: Array<[string, (m: Record<string, string>) => void, string]> = [
    ['lr 1e999 (Infinity once parsed)', configWith('lr', '1e999'), 'metadata field "config": lr Infinity is not a finite number'],
    ['lr 1e-50 (0 in f32)', configWith('lr', '1e-50'), `metadata field "config": lr 1e-50 is 0 in the GPU's 32-bit floats (the smallest they hold reliably is 1.2e-38)`],
    ['lr 1e39 (Infinity in f32)', configWith('lr', '1e39'), `metadata field "config": lr 1e+39 is Infinity in the GPU's 32-bit floats (the largest they hold is 3.4e38)`],
    ['lr 0', configWith('lr', '0'), 'metadata field "config": lr 0 is not greater than 0'],
    ['seed 2^32 (the CLI refuses it; it trained as seed 0)', configWith('seed', '4294967296'), 'metadata field "config": seed 4294967296 is outside 0..4294967295'],
    ['batchSize 1e9', configWith('batchSize', '1000000000'), 'metadata field "config": batchSize 1000000000 is outside 1..65536'],
    ['epochs 1e6', configWith('epochs', '1000000'), 'metadata field "config": epochs 1000000 is outside 1..100000'],
    ['limit 1e300', configWith('limit', '1e300'), 'metadata field "config": limit 1e+300 is not a sample count'],
    ['epoch "1e308"', (m) => (m.epoch = '1e308'), 'bad epoch "1e308" (a whole number from 0 to 100000)'],
  ];
  for (const [what, edit, message] of cases) {
    it(what, () => {
      expect(() => decodeCheckpoint(withMetadata(good(), edit), 'edited.safetensors')).toThrow(new CheckpointError(`edited.safetensors: ${message}`));
    });
  }

  it('through the CLI: train --resume and eval refuse it with the file\'s name, before any data or GPU work', async () => {
    const run = join(dir, 'edited');
    mkdirSync(run);
    const path = join(run, 'model.safetensors');
    writeFileSync(path, withMetadata(good(), configWith('seed', '4294967296')));
    for (const argv of [['train', '--resume', run], ['eval', '--model', run]]) {
      const r = await runCli(argv);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(errors(r.stderr)).toEqual([`error: ${path}: metadata field "config": seed 4294967296 is outside 0..4294967295`]);
    }
  });
});
