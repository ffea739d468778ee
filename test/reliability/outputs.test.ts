/**
 * What stands at an output path (issue 25, roots 3, 5 and 9). Every writer (checkpoints, sheet, data preview,
 * the training pictures, downloads) goes through src/io/files.ts's one check, `outputTarget`: nothing there,
 * or a regular file (a symbolic link to one is written through and stays a link). A device, a FIFO or a socket
 * is refused with one line, exit 1, and left as it was: a rename onto it would have put a regular file in its
 * place (as root, `--out /dev/null` replaced the system's /dev/null). A fresh run refuses to replace another
 * run's checkpoint; long names and odd paths work or get one clear line.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputError } from '../../src/errors.js';
import { checkOutput, type WriteFs, writeFileAtomic } from '../../src/io/files.js';
import { loadCheckpoint } from '../../src/model/checkpoint_file.js';
import { runCli } from '../cli/run.js';
import { tinyFiles, writeFiles } from '../data/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'webgpu-softmax-outputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** stderr without dawn.node's two start-up warnings. */
const errors = (stderr: string) => stderr.split('\n').filter((l) => l && !/^Warning: max\w+ artificially reduced/.test(l));
const isRoot = process.getuid?.() === 0;

const data = join(dir, 'data');
mkdirSync(data);
writeFiles(data, tinyFiles(64, 16), false);

const fifo = (name: string): string => {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  return path;
};
/** A character device of our own (the same numbers as /dev/null), so no test can ever touch the system's. */
const charDevice = (name: string): string => {
  const path = join(dir, name);
  execFileSync('mknod', [path, 'c', '1', '3']);
  return path;
};
const refused = (path: string, what: string, kind: string) => `${path}: cannot write the ${what}: ${kind} is there, not a regular file; choose another path (it is left as it is)`;

/**
 * Node's fs, except that nothing under /dev may be created, opened for writing, renamed onto or removed: if the
 * check ever stopped refusing /dev/null, the test fails on this guard's error instead of replacing the device.
 */
const GUARD = 'test guard: the writer tried to touch /dev';
const underDev = (p: unknown) => String(p).startsWith('/dev/');
const devGuard: WriteFs = {
  ...fs,
  openSync: ((p: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => {
    if (underDev(p)) throw new Error(GUARD);
    return fs.openSync(p, flags ?? 'r', mode);
  }) as typeof fs.openSync,
  renameSync: (a, b) => {
    if (underDev(a) || underDev(b)) throw new Error(GUARD);
    fs.renameSync(a, b);
  },
  rmSync: (p, o) => {
    if (underDev(p)) throw new Error(GUARD);
    fs.rmSync(p, o);
  },
  mkdirSync: ((p: fs.PathLike, o?: fs.MakeDirectoryOptions) => {
    if (underDev(p)) throw new Error(GUARD);
    return fs.mkdirSync(p, o);
  }) as typeof fs.mkdirSync,
};

describe('an output path must be absent or a regular file (one check, src/io/files.ts)', () => {
  it('/dev/null is refused before anything is written (through a guard that would fail the test instead)', () => {
    const message = refused('/dev/null', 'PNG', 'a character device');
    expect(() => checkOutput('/dev/null', 'PNG', devGuard)).toThrow(new OutputError(message));
    expect(() => writeFileAtomic('/dev/null', Uint8Array.of(1), 'PNG', devGuard)).toThrow(new OutputError(message));
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('a FIFO is refused by the probe and by the writer, and stays a FIFO', () => {
    const path = fifo('out.fifo');
    expect(() => checkOutput(path, 'PNG')).toThrow(new OutputError(refused(path, 'PNG', 'a FIFO (named pipe)')));
    expect(() => writeFileAtomic(path, Uint8Array.of(1), 'checkpoint')).toThrow(new OutputError(refused(path, 'checkpoint', 'a FIFO (named pipe)')));
    expect(lstatSync(path).isFIFO()).toBe(true);
  });

  it('a symbolic link to a regular file is written through: the link stays a link, the file it names gets the bytes', () => {
    const target = join(dir, 'target.png');
    const link = join(dir, 'link.png');
    writeFileSync(target, 'old');
    symlinkSync(target, link);
    checkOutput(link, 'PNG');
    writeFileAtomic(link, new TextEncoder().encode('new'), 'PNG');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe('new');
  });

  it('a symbolic link to a FIFO, or to nothing, is refused', () => {
    const path = fifo('behind-link.fifo');
    const link = join(dir, 'to-fifo.png');
    symlinkSync(path, link);
    expect(() => writeFileAtomic(link, Uint8Array.of(1), 'PNG')).toThrow(
      new OutputError(`${link}: cannot write the PNG: it is a symbolic link to a FIFO (named pipe), not to a regular file; choose another path (it is left as it is)`),
    );
    const dangling = join(dir, 'dangling.png');
    symlinkSync(join(dir, 'no-such-file'), dangling);
    expect(() => checkOutput(dangling, 'PNG')).toThrow(
      new OutputError(`${dangling}: cannot write the PNG: it is a symbolic link to nothing, not to a regular file; choose another path (it is left as it is)`),
    );
    expect(lstatSync(link).isSymbolicLink() && lstatSync(path).isFIFO()).toBe(true);
  });

  it.skipIf(!isRoot)('through the CLI: sheet --out a character device, data preview --out a FIFO, train --out a DIR whose checkpoint is a FIFO', async () => {
    const device = charDevice('null-device');
    const pipe = fifo('preview.fifo');
    const sheet = await runCli(['sheet', '--model', join(dir, 'no-such-model'), '--out', device]);
    expect(sheet.code).toBe(1);
    expect(errors(sheet.stderr)).toEqual([`error: ${refused(device, 'PNG', 'a character device')}`]);
    const preview = await runCli(['data', 'preview', '--out', pipe, '--data', data], { timeoutMs: 30_000 });
    expect(preview.code).toBe(1);
    expect(errors(preview.stderr)).toEqual([`error: ${refused(pipe, 'PNG', 'a FIFO (named pipe)')}`]);
    const run = join(dir, 'run-fifo');
    mkdirSync(run);
    execFileSync('mkfifo', [join(run, 'model.safetensors')]);
    const train = await runCli(['train', '--data', data, '--batch-size', '16', '--epochs', '1', '--out', run], { timeoutMs: 30_000 });
    expect(train.code).toBe(1);
    expect(train.stdout).toBe('');
    expect(errors(train.stderr)).toEqual([`error: ${refused(join(run, 'model.safetensors'), 'checkpoint', 'a FIFO (named pipe)')}`]);
    expect(lstatSync(device).isCharacterDevice()).toBe(true);
    expect(lstatSync(pipe).isFIFO()).toBe(true);
    expect(lstatSync(join(run, 'model.safetensors')).isFIFO()).toBe(true);
    expect(readdirSync(run)).toEqual(['model.safetensors']); // no lock, probe or temp file left
  }, 60_000);
});

describe('a fresh run into a directory that holds a checkpoint', () => {
  it('refuses with one line offering --resume DIR or --overwrite; --overwrite starts over; --resume DIR continues', async () => {
    const run = join(dir, 'run-existing');
    const first = await runCli(['train', '--data', data, '--batch-size', '16', '--epochs', '2', '--out', run]);
    expect(first.code, first.stderr).toBe(0);
    const before = readFileSync(join(run, 'model.safetensors'));

    const again = await runCli(['train', '--data', data, '--batch-size', '16', '--epochs', '1', '--model', 'concise', '--out', run]);
    expect(again.code).toBe(2);
    expect(again.stdout).toBe('');
    expect(errors(again.stderr)).toEqual([
      `error: ${run} already holds a checkpoint (model.safetensors); pass --resume ${run} to continue it, or --overwrite to start over and replace it (see \`webgpu-softmax train --help\`)`,
    ]);
    expect(readFileSync(join(run, 'model.safetensors')).equals(before)).toBe(true);
    expect(readdirSync(run)).not.toContain('train.lock');

    const resumed = await runCli(['train', '--resume', run, '--epochs', '3']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(loadCheckpoint(run).meta.epoch).toBe(3);

    const over = await runCli(['train', '--data', data, '--batch-size', '16', '--epochs', '1', '--model', 'concise', '--out', run, '--overwrite']);
    expect(over.code, over.stderr).toBe(0);
    const ck = loadCheckpoint(run);
    expect([ck.meta.model.kind, ck.meta.epoch]).toEqual(['concise', 1]);

    const help = await runCli(['train', '--help']);
    expect(help.stdout).toMatch(/^ {2}--overwrite +start a new run in an --out DIR that already holds a checkpoint/m);
  }, 90_000);

  it('--resume DIR --out OTHER, where OTHER holds another run\'s checkpoint, is refused too', async () => {
    const a = join(dir, 'run-a');
    const b = join(dir, 'run-b');
    for (const out of [a, b]) {
      const r = await runCli(['train', '--data', data, '--batch-size', '16', '--epochs', '1', '--out', out]);
      expect(r.code, r.stderr).toBe(0);
    }
    const r = await runCli(['train', '--resume', a, '--epochs', '2', '--out', b]);
    expect(r.code).toBe(2);
    expect(errors(r.stderr)[0]).toMatch(new RegExp(`^error: ${b} already holds a checkpoint`));
    expect(loadCheckpoint(b).meta.epoch).toBe(1);
  }, 60_000);
});

describe('paths', () => {
  it('a legal 250-byte file name: the temporary name beside it stays within NAME_MAX', async () => {
    const name = `${'p'.repeat(246)}.png`;
    const r = await runCli(['data', 'preview', '--out', join(dir, name), '--data', data, '--count', '4']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir)).toContain(name);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('--resume DIR/model.safetensors is taken as DIR; another checkpoint file needs --out', async () => {
    const run = join(dir, 'run-file');
    const first = await runCli(['train', '--data', data, '--batch-size', '16', '--epochs', '1', '--out', run]);
    expect(first.code, first.stderr).toBe(0);
    const r = await runCli(['train', '--resume', join(run, 'model.safetensors'), '--epochs', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(loadCheckpoint(run).meta.epoch).toBe(2);

    const copy = join(dir, 'backup.safetensors');
    fs.copyFileSync(join(run, 'model.safetensors'), copy);
    const bare = await runCli(['train', '--resume', copy, '--epochs', '3']);
    expect(bare.code).toBe(2);
    expect(errors(bare.stderr)).toEqual([
      `error: --resume ${copy}: a checkpoint file not named model.safetensors has no run directory to write back to; add --out DIR to continue it there (see \`webgpu-softmax train --help\`)`,
    ]);
    const elsewhere = join(dir, 'run-from-backup');
    const withOut = await runCli(['train', '--resume', copy, '--epochs', '3', '--out', elsewhere]);
    expect(withOut.code, withOut.stderr).toBe(0);
    expect(loadCheckpoint(elsewhere).meta.epoch).toBe(3);
  }, 60_000);

  it('a newline in a path cannot split an error over two lines', async () => {
    const odd = join(dir, 'two\nlines');
    mkdirSync(odd);
    const r = await runCli(['sheet', '--model', join(dir, 'none'), '--out', odd]);
    expect(r.code).toBe(1);
    expect(errors(r.stderr)).toEqual([`error: ${join(dir, 'two\\nlines')}: cannot write the PNG: is a directory (EISDIR); choose another name or remove the directory`]);
  });
});
