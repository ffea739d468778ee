import { describe, expect, test } from 'vitest';
import { divergingColor } from '../../src/report/raster.js';
import { weightLimit, weightsPicture } from '../../src/report/weights.js';
import { countPixels, isBluish, isReddish, isWhitish, notWhite, rgbAt, viaPng } from './helpers.js';

const CLASSES = 10;

/** W [784, 10] with a mild pattern everywhere and a few strong, known weights. */
function makeWeights(): Float32Array {
  const w = Float32Array.from({ length: 784 * CLASSES }, (_, i) => 0.05 * Math.sin(i * 0.37));
  const set = (c: number, x: number, y: number, v: number) => (w[(y * 28 + x) * CLASSES + c] = v);
  set(0, 5, 5, 1);
  set(0, 20, 20, -1);
  set(0, 12, 3, 0);
  set(7, 14, 14, 0.9);
  set(7, 2, 25, -0.8);
  return w;
}

describe('weight templates', () => {
  const weights = makeWeights();

  test('strongly positive weight is red, strongly negative blue, zero white, each in its own class tile', () => {
    const scale = 3;
    const { image, tiles } = weightsPicture({ weights, scale });
    const png = viaPng(image);
    const at = (c: number, x: number, y: number) => rgbAt(png, tiles[c].x + x * scale + 1, tiles[c].y + y * scale + 1);
    expect(isReddish(at(0, 5, 5)), `${at(0, 5, 5)}`).toBe(true);
    expect(isBluish(at(0, 20, 20)), `${at(0, 20, 20)}`).toBe(true);
    expect(isWhitish(at(0, 12, 3)), `${at(0, 12, 3)}`).toBe(true);
    expect(at(0, 12, 3)).toEqual([255, 255, 255]);
    expect(isReddish(at(7, 14, 14))).toBe(true);
    expect(isBluish(at(7, 2, 25))).toBe(true);
  });

  test('one shared scale: the same weight gets the same colour in every tile', () => {
    const { image, tiles, limit } = weightsPicture({ weights, scale: 2 });
    const png = viaPng(image);
    for (let c = 0; c < CLASSES; c++) {
      const v = weights[(9 * 28 + 9) * CLASSES + c];
      expect(rgbAt(png, tiles[c].x + 18, tiles[c].y + 18), `class ${c}`).toEqual(divergingColor(v / limit));
    }
  });

  test('ten tiles, five per row, each with its class name under it and a colour bar beside them', () => {
    const scale = 3;
    const { image, tiles } = weightsPicture({ weights, scale });
    const png = viaPng(image);
    expect(tiles.map((t) => t.classIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(tiles.map((t) => t.y)).size).toBe(2);
    expect(tiles[5].x).toBe(tiles[0].x);
    for (const tile of tiles) {
      const caption = { x: tile.x - 4, y: tile.y + 28 * scale + 2, width: 28 * scale + 8, height: 12 };
      expect(countPixels(png, caption, notWhite), `name of class ${tile.classIndex}`).toBeGreaterThan(15);
    }
    const right = tiles[4].x + 28 * scale + 2;
    const bar = { x: right, y: tiles[0].y, width: png.width - right, height: png.height - tiles[0].y };
    expect(countPixels(png, bar, isReddish)).toBeGreaterThan(20);
    expect(countPixels(png, bar, isBluish)).toBeGreaterThan(20);
  });

  test('the scale is the 99th percentile of |w|, so one outlier cannot wash the templates out', () => {
    const w = new Float32Array(7840).fill(0.1);
    w[17] = 50;
    expect(weightLimit(w)).toBeCloseTo(0.1, 6);
    expect(weightLimit(new Float32Array(7840))).toBe(1);
    const sparse = new Float32Array(7840);
    sparse[3] = -0.25;
    expect(weightLimit(sparse)).toBeCloseTo(0.25, 6);
  });

  test('W of the wrong size is rejected', () => {
    expect(() => weightsPicture({ weights: new Float32Array(784 * 9) })).toThrow(/expected 784 x 10/);
    expect(() => weightsPicture({ weights: new Float32Array(784 * 3), classes: 3 })).not.toThrow();
  });
});
