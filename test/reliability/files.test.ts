/**
 * What the CLI reads and writes (src/io/files.ts). Reads: anything but a regular file (a FIFO, /dev/zero, a
 * socket, a directory) is refused with one line before a byte is read, and reads are bounded by the size the
 * format allows. Writes: every failure a user can meet (no space, read-only, a directory or a file in the way,
 * no permission) is one OutputError line naming the file and what to do, and leaves no temp file behind.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFashionMnist } from '../../src/data/node.js';
import { CheckpointError, DataError, OutputError } from '../../src/errors.js';
import { checkOutput, readRegularFile, type WriteFs, writeFileAtomic } from '../../src/io/files.js';
import { encodeCheckpoint } from '../../src/model/checkpoint.js';
import { loadCheckpoint, MAX_CHECKPOINT_BYTES } from '../../src/model/checkpoint_file.js';
import { fashionMnistSpec, modelDefinition } from '../../src/model/registry.js';

const initialParameters = (seed: number) => modelDefinition('scratch').init(fashionMnistSpec('scratch'), seed);
import { writePng } from '../../src/report/png.js';
import { createImage } from '../../src/report/raster.js';
import { runCli } from '../cli/run.js';
import { tinyFiles, writeFiles } from '../data/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'webgpu-softmax-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fifo = (name: string): string => {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  return path;
};
/** stderr without dawn.node's two start-up warnings. */
const errors = (stderr: string) => stderr.split('\n').filter((l) => l && !/^Warning: max\w+ artificially reduced/.test(l));
const HINT = 'pass a checkpoint file or the directory train --out wrote';

describe('reads: only regular files, bounded by what the format allows', () => {
  it('a FIFO is refused at once (no writer: a plain open would block forever)', () => {
    const path = fifo('model.fifo');
    expect(() => loadCheckpoint(path)).toThrow(new CheckpointError(`${path}: is a FIFO (named pipe), not a regular file; ${HINT}`));
  }, 10_000);

  it('/dev/zero is refused before a byte is read (a plain read grows until memory runs out)', () => {
    expect(() => loadCheckpoint('/dev/zero')).toThrow(new CheckpointError(`/dev/zero: is a character device, not a regular file; ${HINT}`));
  });

  it('a socket is named as one', async () => {
    const path = join(dir, 'model.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      expect(() => loadCheckpoint(path)).toThrow(new CheckpointError(`${path}: is a socket, not a regular file; ${HINT}`));
    } finally {
      server.close();
    }
  });

  it('a directory where the checkpoint file should be', () => {
    const run = join(dir, 'run-with-dir');
    mkdirSync(join(run, 'model.safetensors'), { recursive: true });
    expect(() => loadCheckpoint(run)).toThrow(new CheckpointError(`${join(run, 'model.safetensors')}: is a directory, not a file; ${HINT}`));
  });

  it('a checkpoint past the size cap is refused before it is read', () => {
    const path = join(dir, 'huge.safetensors');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, MAX_CHECKPOINT_BYTES + 1); // sparse: no disk, no memory, only a size
    closeSync(fd);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => loadCheckpoint(path)).toThrow(
      new CheckpointError(`${path}: ${MAX_CHECKPOINT_BYTES + 1} bytes is larger than any checkpoint (limit ${MAX_CHECKPOINT_BYTES}); wrong path?`),
    );
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });

  it('a regular file is read whole, and a good checkpoint still loads', () => {
    const path = join(dir, 'good.safetensors');
    const meta = { model: fashionMnistSpec('scratch'), epoch: 1, config: { lr: 0.1, batchSize: 256, seed: 0, epochs: 1, limit: null }, history: [], test: null };
    writeFileSync(path, encodeCheckpoint({ params: initialParameters(0), meta }));
    expect(loadCheckpoint(path).meta.epoch).toBe(1);
    expect(readRegularFile(path, { maxBytes: 1 << 20, what: 'x', error: OutputError })).toEqual(new Uint8Array(readFileSync(path)));
  });

  it('a FIFO in place of a data file is a DataError naming it, not a hang', async () => {
    const data = join(dir, 'data-fifo');
    mkdirSync(data);
    const paths = writeFiles(data, tinyFiles(2, 2));
    rmSync(paths.trainLabels);
    execFileSync('mkfifo', [paths.trainLabels]);
    await expect(loadFashionMnist({ root: data })).rejects.toThrow(new DataError(`${paths.trainLabels}: is a FIFO (named pipe), not a regular file`));
  }, 10_000);

  it('a device in place of a data file is a DataError, not a read without end', async () => {
    const data = join(dir, 'data-dev');
    mkdirSync(data);
    const paths = writeFiles(data, tinyFiles(2, 2));
    rmSync(paths.testImages);
    fs.symlinkSync('/dev/zero', paths.testImages);
    await expect(loadFashionMnist({ root: data })).rejects.toThrow(new DataError(`${paths.testImages}: is a character device, not a regular file`));
  }, 10_000);

  it('through the CLI: eval --model FIFO, /dev/zero; train --data with a FIFO: one line, exit 1, at once', async () => {
    const path = fifo('cli.fifo');
    for (const model of [path, '/dev/zero']) {
      const r = await runCli(['eval', '--model', model], { timeoutMs: 20_000 });
      expect(r.signal).toBeNull(); // not killed by the timeout
      expect(r.code).toBe(1);
      expect(errors(r.stderr)).toEqual([`error: ${model}: is ${model === path ? 'a FIFO (named pipe)' : 'a character device'}, not a regular file; ${HINT}`]);
    }
    const data = join(dir, 'cli-data');
    mkdirSync(data);
    const paths = writeFiles(data, tinyFiles(2, 2));
    rmSync(paths.testLabels);
    execFileSync('mkfifo', [paths.testLabels]);
    const r = await runCli(['train', '--data', data, '--epochs', '1'], { timeoutMs: 20_000 });
    expect(r.code).toBe(1);
    expect(errors(r.stderr)).toEqual([`error: ${paths.testLabels}: is a FIFO (named pipe), not a regular file`]);
  }, 60_000);
});

/** Node's fs, with one call failing as a full disk or a read-only file system would make it fail. */
function failing(call: keyof WriteFs, code: string): WriteFs {
  const err = Object.assign(new Error(`${code}: simulated, ${call}`), { code });
  return { ...fs, [call]: () => { throw err; } } as WriteFs;
}
const listing = (d: string) => readdirSync(d).sort();

describe('writes: one OutputError line naming the file and what to do; nothing half-written', () => {
  const bytes = new Uint8Array(1000).fill(7);

  it('a full disk (ENOSPC while writing): the temp file is removed, the previous file is unchanged', () => {
    const out = mkdtempSync(join(dir, 'enospc-'));
    const path = join(out, 'model.safetensors');
    writeFileSync(path, 'old');
    expect(() => writeFileAtomic(path, bytes, 'checkpoint', failing('writeSync', 'ENOSPC'))).toThrow(
      new OutputError(`${path}: cannot write the checkpoint: no space left on the device (ENOSPC); free some space or write elsewhere; the previous checkpoint is unchanged`),
    );
    expect(listing(out)).toEqual(['model.safetensors']);
    expect(readFileSync(path, 'utf8')).toBe('old');
  });

  it('a full disk found by the fsync, and a new file: no "previous" to speak of', () => {
    const out = mkdtempSync(join(dir, 'enospc-'));
    const path = join(out, 'weights.png');
    expect(() => writeFileAtomic(path, bytes, 'PNG', failing('fsyncSync', 'ENOSPC'))).toThrow(
      new OutputError(`${path}: cannot write the PNG: no space left on the device (ENOSPC); free some space or write elsewhere`),
    );
    expect(listing(out)).toEqual([]);
  });

  it('a read-only file system (EROFS)', () => {
    const out = mkdtempSync(join(dir, 'erofs-'));
    const path = join(out, 'sheet.png');
    expect(() => writeFileAtomic(path, bytes, 'PNG', failing('openSync', 'EROFS'))).toThrow(
      new OutputError(`${path}: cannot write the PNG: read-only file system (EROFS); write elsewhere`),
    );
    expect(() => checkOutput(path, 'PNG', failing('openSync', 'EROFS'))).toThrow(
      new OutputError(`${path}: cannot write the PNG: read-only file system (EROFS); write elsewhere`),
    );
  });

  it('a directory where the file goes (EISDIR), for real: the write and the probe say so', () => {
    const out = mkdtempSync(join(dir, 'eisdir-'));
    const path = join(out, 'sheet.png');
    mkdirSync(path);
    const message = `${path}: cannot write the PNG: is a directory (EISDIR); choose another name or remove the directory`;
    expect(() => writeFileAtomic(path, bytes, 'PNG')).toThrow(new OutputError(message));
    expect(() => checkOutput(path, 'PNG')).toThrow(new OutputError(message));
    expect(listing(out)).toEqual(['sheet.png']);
  });

  it('a file in the way of the directory (ENOTDIR), for real', () => {
    const file = join(dir, 'plain');
    writeFileSync(file, 'x');
    const path = join(file, 'sub', 'sheet.png');
    const message = `${path}: cannot write the PNG: a file is in the way (part of the path is not a directory) (ENOTDIR); choose another path`;
    expect(() => writeFileAtomic(path, bytes, 'PNG')).toThrow(new OutputError(message));
    expect(() => checkOutput(path, 'PNG')).toThrow(new OutputError(message));
  });

  it('a place that refuses new files (sysfs: EACCES even for root)', () => {
    expect(() => checkOutput('/sys/sheet.png', 'PNG')).toThrow(
      new OutputError('/sys/sheet.png: cannot write the PNG: permission denied (EACCES); write elsewhere or change the permissions'),
    );
  });

  it('a directory under /proc fails instead of spinning (Node 20\'s recursive mkdir never returns there)', () => {
    expect(() => checkOutput('/proc/webgpu-softmax-x/y/sheet.png', 'PNG')).toThrow(
      new OutputError('/proc/webgpu-softmax-x/y/sheet.png: cannot write the PNG: the directory cannot be created there (ENOENT); choose another path'),
    );
  }, 10_000);

  it('writePng goes through the same writer', async () => {
    const out = mkdtempSync(join(dir, 'png-'));
    mkdirSync(join(out, 'taken.png'));
    await expect(writePng(join(out, 'taken.png'), createImage(2, 2))).rejects.toThrow(
      new OutputError(`${join(out, 'taken.png')}: cannot write the PNG: is a directory (EISDIR); choose another name or remove the directory`),
    );
    expect(listing(out)).toEqual(['taken.png']);
  });
});

describe('through the CLI: an output that cannot be written is found before any work', () => {
  it('sheet --out DIR (a directory): one line, exit 1, before the checkpoint is even read', async () => {
    const out = mkdtempSync(join(dir, 'sheet-'));
    const r = await runCli(['sheet', '--model', join(dir, 'no-such-model'), '--out', out]);
    expect(r.code).toBe(1);
    expect(errors(r.stderr)).toEqual([`error: ${out}: cannot write the PNG: is a directory (EISDIR); choose another name or remove the directory`]);
  });

  it('data preview --out in a place that refuses files', async () => {
    const r = await runCli(['data', 'preview', '--out', '/sys/preview.png', '--data', join(dir, 'nowhere')]);
    expect(r.code).toBe(1);
    expect(errors(r.stderr)).toEqual(['error: /sys/preview.png: cannot write the PNG: permission denied (EACCES); write elsewhere or change the permissions']);
  });

  it('train --out DIR whose pictures cannot be written: refused before the first epoch, not after the last', async () => {
    const out = mkdtempSync(join(dir, 'train-'));
    mkdirSync(join(out, 'weights.png'));
    const r = await runCli(['train', '--out', out, '--limit', '1000', '--epochs', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(''); // no adapter line, no epoch
    expect(errors(r.stderr)).toEqual([`error: ${join(out, 'weights.png')}: cannot write the PNG: is a directory (EISDIR); choose another name or remove the directory`]);
    expect(listing(out)).toEqual(['weights.png']);
  });

  it('train --out in a place that refuses files', async () => {
    const r = await runCli(['train', '--out', '/sys/kernel', '--limit', '1000', '--epochs', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(errors(r.stderr)).toEqual(['error: /sys/kernel/model.safetensors: cannot write the checkpoint: permission denied (EACCES); write elsewhere or change the permissions']);
  });
});
