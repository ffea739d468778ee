/**
 * Golden picture: a prediction sheet from fixed synthetic data must match the committed PNG pixel for
 * pixel, so any change to the font, layout, colours or primitives shows up in review as a changed file.
 *
 * After an intended change, regenerate it and look at it before committing:
 *
 *   UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts
 *
 * Without UPDATE_GOLDEN a missing golden file is a failure, never silently written.
 */
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { decodePng, writePng } from '../../src/report/png.js';
import type { RgbaImage } from '../../src/report/raster.js';
import { predictionSheet } from '../../src/report/sheet.js';
import { syntheticImages } from './synthetic.js';

const GOLDEN = fileURLToPath(new URL('./golden/sheet.png', import.meta.url));

function goldenSheet(): RgbaImage {
  const labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  // Three mistakes, including the two longest names, so red captions and frames are covered.
  const predictions = [9, 1, 2, 6, 4, 5, 6, 7, 8, 0];
  const probabilities = [0.97, 0.99, 0.51, 0.62, 0.88, 1, 0.45, 0.93, 0.76, 0.58];
  return predictionSheet({ images: syntheticImages(labels, 11), labels, predictions, probabilities, count: 10, columns: 5, scale: 2 }).image;
}

function firstDifference(a: RgbaImage, b: RgbaImage): string | null {
  if (a.width !== b.width || a.height !== b.height) return `size ${a.width}x${a.height}, golden ${b.width}x${b.height}`;
  let count = 0;
  let first = '';
  for (let i = 0; i < a.data.length; i++) {
    if (a.data[i] !== b.data[i] && i % 4 !== 3) {
      if (count++ === 0) first = `pixel (${(i >> 2) % a.width}, ${Math.floor((i >> 2) / a.width)})`;
    }
  }
  return count === 0 ? null : `${count} channel values differ, first at ${first}`;
}

// UPDATE_GOLDEN=1 declares a test that writes the file in place of the comparison: no comparison passes unmade.
if (process.env.UPDATE_GOLDEN === '1') {
  test('writes test/report/golden/sheet.png (UPDATE_GOLDEN=1: the comparison is not made)', async () => {
    await writePng(GOLDEN, goldenSheet());
  });
}

test.skipIf(process.env.UPDATE_GOLDEN === '1')('prediction sheet matches test/report/golden/sheet.png pixel for pixel', async () => {
  const sheet = goldenSheet();
  expect(existsSync(GOLDEN), `${GOLDEN} is missing; create it with UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts`).toBe(true);
  const difference = firstDifference(sheet, decodePng(readFileSync(GOLDEN)));
  if (difference !== null) {
    const actual = join(tmpdir(), 'report-golden-actual-sheet.png');
    await writePng(actual, sheet);
    expect.fail(`sheet differs from the golden file: ${difference}. Rendered picture: ${actual}`);
  }
});
