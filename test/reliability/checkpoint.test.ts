/**
 * Bad checkpoints and lost writes: every kind of damaged file is one CheckpointError naming the file and the
 * problem (in-process and through `eval` / `train --resume`), and a writer killed mid-write leaves the previous
 * checkpoint whole.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CheckpointError, OutputError } from '../../src/errors.js';
import { type Checkpoint, encodeCheckpoint } from '../../src/model/checkpoint.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/model/checkpoint_file.js';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_SHAPE } from '../../src/data/dataset.js';
import { scratchModel } from '../../src/model/scratch.js';
import { runCli } from '../cli/run.js';

const spec = scratchModel.spec(FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES, {});
const initialParameters = (seed: number) => scratchModel.init(spec, seed);
const meta: Checkpoint['meta'] = { model: spec, epoch: 3, config: { lr: 0.1, batchSize: 256, seed: 0, epochs: 5, limit: null }, history: [], test: null };
const good = () => encodeCheckpoint({ params: initialParameters(0), meta });

/** Re-encodes a checkpoint with its JSON header changed by `edit` (the tensor data stays as it was). */
function withHeader(bytes: Uint8Array, edit: (header: Record<string, any>) => void): Uint8Array {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + bytes.length - 8 - length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(bytes.subarray(8 + length), 8 + json.length);
  return out;
}

/** Sets f32 element `index` of the tensor data (W first, then b) to `value`. */
function poke(bytes: Uint8Array, index: number, value: number): Uint8Array {
  const out = bytes.slice();
  const length = Number(new DataView(out.buffer).getBigUint64(0, true));
  new DataView(out.buffer).setFloat32(8 + length + index * 4, value, true);
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'webgpu-softmax-ck-'));
function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

// [case, bytes, the message after "PATH: "]. Exact texts: RELIABILITY.md quotes them.
const bad: Array<[string, () => Uint8Array, string]> = [
  ['wrong version', () => withHeader(good(), (h) => (h.__metadata__.version = '4')), 'checkpoint version 4, this build reads versions 1, 2 and 3'],
  ['W shape disagrees with the model', () => encodeCheckpoint({ params: { ...initialParameters(0), W: { shape: [100, 10], data: new Float32Array(1000) } }, meta }), 'tensor W has shape [100,10], the model needs [784,10]'],
  ['b shape disagrees with W', () => withHeader(good(), (h) => ((h.b.shape = [9]), (h.b.data_offsets = [31360, 31396]))), 'tensor b has shape [9], the model needs [10]'],
  ['dtype is not F32', () => withHeader(good(), (h) => (h.W.dtype = 'F16')), 'tensor W has dtype F16, expected F32'],
  ['weight data truncated', () => good().subarray(0, good().length - 100), 'truncated: tensor W needs bytes up to 31360, the file has 31300 after its header'],
  ['bias data truncated', () => good().subarray(0, good().length - 20), 'truncated: tensor b needs bytes up to 31400, the file has 31380 after its header'],
  ['cut inside the header', () => good().subarray(0, 100), `not a safetensors checkpoint or truncated (header length ${good().length - 31400 - 8}, file 100 bytes)`],
  ['empty file', () => new Uint8Array(0), 'too short to be a checkpoint (0 bytes)'],
  ['NaN weight', () => poke(good(), 5, NaN), 'tensor W holds a non-finite value (NaN) at index 5; the training that wrote it diverged'],
  ['infinite bias', () => poke(good(), 7840 + 2, -Infinity), 'tensor b holds a non-finite value (-Infinity) at index 2; the training that wrote it diverged'],
  ['another safetensors file', () => withHeader(good(), (h) => delete h.__metadata__), 'not a webgpu-softmax checkpoint (format "missing")'],
  // A PNG signature read as a little-endian u64 header length.
  ['not a checkpoint at all', () => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(2000).fill(0)]), 'not a safetensors checkpoint or truncated (header length 727905341920923800, file 2008 bytes)'],
  ['history not a list', () => withHeader(good(), (h) => (h.__metadata__.history = '{"epoch":1}')), 'metadata field "history" is not a list'],
  ['damaged config', () => withHeader(good(), (h) => (h.__metadata__.config = '{"lr":0.1}')), 'metadata field "config" lacks lr, batchSize, seed, epochs or limit'],
];

describe('damaged checkpoints are one clear CheckpointError', () => {
  it('a good one loads (the cases below differ from it in one thing)', () => {
    const ck = loadCheckpoint(file('good.safetensors', good()));
    expect(ck.meta.epoch).toBe(3);
    expect(ck.params.W.data).toEqual(initialParameters(0).W.data);
  });

  for (const [what, bytes, message] of bad) {
    it(what, () => {
      const path = file(`${what.replace(/\W+/g, '-')}.safetensors`, bytes());
      expect(() => loadCheckpoint(path)).toThrow(new CheckpointError(`${path}: ${message}`));
    });
  }

  it('a missing file says how to make one', () => {
    expect(() => loadCheckpoint(join(dir, 'nope'))).toThrow(new CheckpointError(`${join(dir, 'nope')}: no such file (train with --out DIR to write one)`));
  });
});

describe('through the CLI: one line, exit 1, the stack only with --verbose', () => {
  for (const [what, bytes, message] of bad.filter(([w]) => ['wrong version', 'W shape disagrees with the model', 'weight data truncated', 'NaN weight'].includes(w))) {
    it(`eval --model <${what}>`, async () => {
      const path = file(`cli-${what.replace(/\W+/g, '-')}.safetensors`, bytes());
      const r = await runCli(['eval', '--model', path]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`error: ${path}: ${message}\n`);
    });
  }

  it('train --resume <truncated dir>: the same error before any training', async () => {
    const resumeDir = mkdtempSync(join(tmpdir(), 'webgpu-softmax-resume-'));
    writeFileSync(join(resumeDir, 'model.safetensors'), good().subarray(0, 5000));
    const r = await runCli(['train', '--resume', resumeDir, '--limit', '1000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: ${join(resumeDir, 'model.safetensors')}: truncated: tensor W needs bytes up to 31360, the file has ${5000 - 8 - (good().length - 31400 - 8)} after its header\n`);
  });

  it('--verbose adds the stack trace', async () => {
    const path = file('verbose.safetensors', poke(good(), 0, NaN));
    const quiet = await runCli(['eval', '--model', path]);
    const loud = await runCli(['eval', '--model', path, '--verbose']);
    expect(quiet.stderr.trim().split('\n')).toHaveLength(1);
    expect(loud.code).toBe(1);
    expect(loud.stderr.split('\n')[0]).toBe(quiet.stderr.split('\n')[0]);
    expect(loud.stderr).toMatch(/\nCheckpointError: [^\n]*\n\s+at \w+ \(file:.*checkpoint\.js:\d+:\d+\)\n/);
  });
});

describe('writes are atomic', () => {
  it('a bad --out fails before training, with the reason', async () => {
    const notADir = file('plain-file', new Uint8Array(1));
    const r = await runCli(['train', '--out', join(notADir, 'sub'), '--limit', '1000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: ${join(notADir, 'sub', 'model.safetensors')}: cannot write the checkpoint: a file is in the way (part of the path is not a directory) (ENOTDIR); choose another path\n`,
    );
  });

  it('a failed write is an OutputError and leaves the old file', () => {
    const out = mkdtempSync(join(tmpdir(), 'webgpu-softmax-save-'));
    const ck: Checkpoint = { params: initialParameters(0), meta };
    saveCheckpoint(out, ck);
    const inside = join(out, 'model.safetensors'); // a file where a directory should be
    expect(() => saveCheckpoint(inside, ck)).toThrow(
      new OutputError(`${inside}/model.safetensors: cannot write the checkpoint: a file is in the way (part of the path is not a directory) (EEXIST); choose another path`),
    );
    expect(loadCheckpoint(out).meta.epoch).toBe(3);
  });

  // A child process writes two big checkpoints (every weight = its epoch, 1 or 2) in turn as fast as it can and
  // is SIGKILLed at a random moment. Whatever the moment, the file must load whole, holding one of the two.
  it('a writer killed mid-write leaves the previous checkpoint intact', async () => {
    const out = mkdtempSync(join(tmpdir(), 'webgpu-softmax-kill-'));
    const path = join(out, 'model.safetensors');
    const dist = (p: string) => fileURLToPath(new URL(`../../dist/src/${p}`, import.meta.url));
    const writer = `
      import { encodeCheckpoint } from ${JSON.stringify(dist('model/checkpoint.js'))};
      import { writeFileAtomic } from ${JSON.stringify(dist('io/files.js'))};
      const features = 784 * 128; // 4 MB, so most of the time is spent inside a write
      const model = { kind: 'scratch', input: { channels: 1, height: 1, width: features }, classes: 10, options: { kernels: 'auto' } };
      const meta = (epoch) => ({ model, epoch, config: { lr: 0.1, batchSize: 256, seed: 0, epochs: 5, limit: null }, history: [], test: null });
      const versions = [1, 2].map((e) => encodeCheckpoint({ params: { W: { shape: [features, 10], data: new Float32Array(features * 10).fill(e) }, b: { shape: [10], data: new Float32Array(10).fill(e) } }, meta: meta(e) }));
      for (let i = 0; ; i++) {
        writeFileAtomic(process.argv[1], versions[i % 2]);
        process.stdout.write(i + '\\n');
      }`;
    let interrupted = 0;
    let temps = 0;
    for (let round = 0; round < 8; round++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', writer, path], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise((resolve) => child.on('close', resolve));
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve())); // at least one whole write
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 60));
      child.kill('SIGKILL');
      await exited;
      const ck = loadCheckpoint(path); // throws if the kill left a partial file
      expect([1, 2]).toContain(ck.meta.epoch);
      expect(ck.params.W.data.every((v) => v === ck.meta.epoch)).toBe(true);
      const now = readdirSync(out).filter((f) => f.includes('.tmp-')).length;
      if (now > temps) interrupted++;
      temps = now;
    }
    // The leftover temp files show the kills really landed inside writes.
    expect(interrupted).toBeGreaterThan(0);
  });
});
