import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { decodePng, encodePng, writePng } from '../../src/report/png.js';
import { createImage, fillRect } from '../../src/report/raster.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function sample() {
  const image = createImage(7, 5);
  fillRect(image, 1, 1, 3, 2, [10, 200, 30]);
  fillRect(image, 6, 4, 1, 1, [0, 0, 0]);
  return image;
}

describe('png', () => {
  test('encode then decode gives back every pixel, opaque', () => {
    const image = sample();
    const bytes = encodePng(image);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    const back = decodePng(bytes);
    expect([back.width, back.height]).toEqual([7, 5]);
    expect(Array.from(back.data)).toEqual(Array.from(image.data));
  });

  test('writePng creates the folder, writes the file whole and leaves no temporary file behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-png-'));
    dirs.push(dir);
    const path = join(dir, 'nested', 'out.png');
    await writePng(path, sample());
    await writePng(path, createImage(3, 3));
    expect(await readdir(join(dir, 'nested'))).toEqual(['out.png']);
    const back = decodePng(await readFile(path));
    expect([back.width, back.height]).toEqual([3, 3]);
  });

  test('a failed write removes its temporary file and reports the error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-png-'));
    dirs.push(dir);
    // The target is an existing folder: the rename fails after the temporary file was written.
    const target = join(dir, 'taken');
    await writePng(join(target, 'inner.png'), sample());
    await expect(writePng(target, sample())).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['taken']);
  });
});
