import { describe, expect, test } from 'vitest';
import { confusionMatrix, confusionPicture } from '../../src/report/confusion.js';
import { sequentialColor } from '../../src/report/raster.js';
import { countPixels, isColor, notWhite, rgbAt, viaPng } from './helpers.js';

describe('confusionMatrix', () => {
  test('matches a hand-computed 3-class example (row = true, column = predicted)', () => {
    const labels = [0, 0, 1, 2, 2, 2, 1];
    const predictions = [0, 1, 1, 2, 0, 2, 1];
    expect(Array.from(confusionMatrix(labels, predictions, 3))).toEqual([
      1, 1, 0,
      0, 2, 0,
      1, 0, 2,
    ]);
  });

  test('counts sum to N, row sums are the class frequencies, the trace is the number right', () => {
    const n = 1000;
    const labels = Array.from({ length: n }, (_, i) => (i * 7) % 10);
    const predictions = labels.map((l, i) => (i % 4 === 0 ? (l + i) % 10 : l));
    const m = confusionMatrix(labels, predictions);
    expect(m.reduce((a, b) => a + b, 0)).toBe(n);
    for (let t = 0; t < 10; t++) {
      const row = m.slice(t * 10, t * 10 + 10).reduce((a, b) => a + b, 0);
      expect(row).toBe(labels.filter((l) => l === t).length);
    }
    let trace = 0;
    for (let c = 0; c < 10; c++) trace += m[c * 11];
    expect(trace).toBe(labels.filter((l, i) => predictions[i] === l).length);
  });

  test('rejects mismatched lengths and labels outside [0, classes)', () => {
    expect(() => confusionMatrix([0, 1], [0])).toThrow(/2 labels but 1 predictions/);
    expect(() => confusionMatrix([0, 10], [0, 1])).toThrow(/sample 1/);
    expect(() => confusionMatrix([0, 1], [0, -1])).toThrow(/sample 1/);
  });
});

describe('confusion picture', () => {
  // Deliberately asymmetric, so a transposed drawing would show.
  const labels = [...Array(50).fill(0), ...Array(30).fill(1), ...Array(5).fill(1), ...Array(15).fill(2)];
  const predictions = [...Array(50).fill(0), ...Array(30).fill(1), ...Array(5).fill(0), ...Array(15).fill(2)];
  const matrix = confusionMatrix(labels, predictions, 3);
  const names = ['Alpha', 'Bravo', 'Charlie'];

  test('each cell is coloured by its own count: rows are true classes, columns predicted', () => {
    const { image, cell } = confusionPicture(matrix, { classNames: names });
    const png = viaPng(image);
    for (let t = 0; t < 3; t++) {
      for (let p = 0; p < 3; p++) {
        const box = cell(t, p);
        expect(rgbAt(png, box.x + 2, box.y + 2), `cell (${t}, ${p})`).toEqual(sequentialColor(matrix[t * 3 + p] / 50));
      }
    }
    expect(matrix[1 * 3 + 0]).toBe(5);
    expect(rgbAt(png, cell(1, 0).x + 2, cell(1, 0).y + 2)).not.toEqual(rgbAt(png, cell(0, 1).x + 2, cell(0, 1).y + 2));
  });

  test('every cell has its count written in it (ink that is not the cell colour)', () => {
    const { image, cell } = confusionPicture(matrix, { classNames: names });
    const png = viaPng(image);
    for (let t = 0; t < 3; t++) {
      for (let p = 0; p < 3; p++) {
        const box = cell(t, p);
        const background = sequentialColor(matrix[t * 3 + p] / 50);
        const inner = { x: box.x + 1, y: box.y + 1, width: box.width - 2, height: box.height - 2 };
        const ink = countPixels(png, inner, (c) => !isColor(background)(c));
        expect(ink, `count in cell (${t}, ${p})`).toBeGreaterThan(8);
      }
    }
  });

  test('class names on both axes, a colour scale bar on the right, a title on top', () => {
    const { image, cell } = confusionPicture(matrix, { classNames: names });
    const png = viaPng(image);
    const first = cell(0, 0);
    const last = cell(2, 2);
    for (let i = 0; i < 3; i++) {
      const row = cell(i, 0);
      const column = cell(0, i);
      expect(countPixels(png, { x: 0, y: row.y, width: first.x, height: row.height }, notWhite), `row name ${i}`).toBeGreaterThan(10);
      expect(countPixels(png, { x: column.x, y: first.y - 14, width: column.width, height: 12 }, notWhite), `column name ${i}`).toBeGreaterThan(10);
    }
    const right = last.x + last.width;
    const bar = { x: right + 1, y: first.y, width: png.width - right - 1, height: last.y + last.height - first.y };
    // The bar runs from the colour of the largest count (dark blue) down to near-white.
    expect(countPixels(png, bar, (c) => c[0] < 40 && c[2] > 100), 'dark end of the bar').toBeGreaterThan(10);
    expect(countPixels(png, bar, (c) => Math.min(...c) > 235 && c[2] > c[0]), 'light end of the bar').toBeGreaterThan(10);
    expect(countPixels(png, { x: 0, y: 0, width: png.width, height: 20 }, notWhite)).toBeGreaterThan(100);
  });

  test('ten Fashion-MNIST classes with counts up to 10000 at scale 1 and 2', () => {
    const n = 10000;
    const m = confusionMatrix(new Array(n).fill(3), new Array(n).fill(3));
    for (const scale of [1, 2]) {
      const { image, cell } = confusionPicture(m, { scale });
      const box = cell(3, 3);
      expect(rgbAt(viaPng(image), box.x + 2, box.y + 2)).toEqual(sequentialColor(1));
      expect(cell(9, 9).x + cell(9, 9).width).toBeLessThan(image.width);
    }
  });

  test('an all-zero matrix still draws; a non-square one is rejected', () => {
    expect(() => confusionPicture(new Uint32Array(100))).not.toThrow();
    expect(() => confusionPicture(new Uint32Array(12))).toThrow(/not square/);
  });
});
