import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../src/report/png.js';
import { sheetLayout } from '../../src/report/sheet.js';
import { runCli } from './run.js';

// The picture commands end to end: a checkpoint from a short training run, then `sheet` and `data preview`.
describe('sheet and data preview', () => {
  const dir = mkdtempSync(join(tmpdir(), 'webgpu-softmax-sheet-'));
  beforeAll(async () => {
    const r = await runCli(['train', '--limit', '3000', '--epochs', '1', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('sheet draws the requested grid from the GPU predictions', async () => {
    const file = join(dir, 'sheet.png');
    const r = await runCli(['sheet', '--model', dir, '--out', file, '--count', '10', '--columns', '5', '--scale', '2']);
    expect(r.code, r.stderr).toBe(0);
    const image = decodePng(readFileSync(file));
    const layout = sheetLayout({ count: 10, columns: 5, scale: 2 });
    expect([image.width, image.height]).toEqual([layout.width, layout.height]);
  });

  it('sheet --only-wrong --seed picks misclassified images at random', async () => {
    const file = join(dir, 'wrong.png');
    const r = await runCli(['sheet', '--model', dir, '--out', file, '--only-wrong', '--seed', '7']);
    expect(r.code, r.stderr).toBe(0);
    expect(decodePng(readFileSync(file)).width).toBeGreaterThan(0);
  });

  it('sheet without --out is a usage error', async () => {
    const r = await runCli(['sheet', '--model', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sheet needs --model PATH and --out FILE.png/);
  });

  it('data preview draws training images', async () => {
    const file = join(dir, 'preview.png');
    const r = await runCli(['data', 'preview', '--out', file, '--count', '12', '--columns', '6']);
    expect(r.code, r.stderr).toBe(0);
    const image = decodePng(readFileSync(file));
    expect(image.width).toBeGreaterThan(6 * 28 * 3);
  });
});
