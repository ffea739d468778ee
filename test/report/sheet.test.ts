import { describe, expect, test } from 'vitest';
import { CLASS_NAMES } from '../../src/report/classes.js';
import { ERROR_RED, textHeight, textWidth } from '../../src/report/raster.js';
import { RIGHT_FRAME, SHEET_DEFAULTS, WRONG_FRAME, predictionSheet, sheetLayout } from '../../src/report/sheet.js';
import { countPixels, expectTileEquals, isColor, isReddish, notWhite, rgbAt, viaPng } from './helpers.js';
import { syntheticImages } from './synthetic.js';

const N = 40;
const labels = Array.from({ length: N }, (_, i) => i % 10);
// Every fifth image (2, 7, 12, ...) is misclassified.
const predictions = labels.map((l, i) => (i % 5 === 2 ? (l + 3) % 10 : l));
const probabilities = labels.map((_, i) => 0.5 + (i % 50) / 100);
const images = syntheticImages(labels);
const input = { images, labels, predictions, probabilities };

describe('sheet layout', () => {
  test.each([
    [36, 12, 3],
    [7, 3, 2],
    [5, 12, 1],
    [8, 4, 6],
  ])('count %i, columns %i, scale %i: picture size follows from the options', (count, columns, scale) => {
    const { image } = predictionSheet({ ...input, count, columns, scale });
    const png = viaPng(image);
    const layout = sheetLayout({ count, columns, scale });
    expect([png.width, png.height]).toEqual([layout.width, layout.height]);
    expect(layout.columns).toBe(Math.min(columns, count));
    expect(layout.rows).toBe(Math.ceil(count / columns));
    expect(layout.tileSize).toBe(28 * scale);
    expect(layout.cellWidth).toBeGreaterThanOrEqual(28 * scale + 2 * layout.frame);
  });

  test('one more row adds exactly one cell height plus gap; one more column one cell width plus gap', () => {
    const base = sheetLayout({ count: 8, columns: 4, scale: 3 });
    const taller = sheetLayout({ count: 12, columns: 4, scale: 3 });
    const wider = sheetLayout({ count: 10, columns: 5, scale: 3 });
    const rowStep = taller.place(4).cellY - taller.place(0).cellY;
    const columnStep = wider.place(1).cellX - wider.place(0).cellX;
    expect(taller.height - base.height).toBe(rowStep);
    expect(wider.width - base.width).toBe(columnStep);
    expect(rowStep).toBeGreaterThan(base.cellHeight);
    expect(columnStep).toBeGreaterThan(base.cellWidth);
  });

  test('defaults match the CLI: 36 tiles, 12 columns, scale 3', () => {
    expect(SHEET_DEFAULTS).toEqual({ count: 36, columns: 12, scale: 3 });
    const { image, tiles } = predictionSheet(input);
    expect(tiles).toHaveLength(36);
    expect(image.width).toBe(sheetLayout({ count: 36 }).width);
    expect(sheetLayout({ count: 36 }).rows).toBe(3);
  });

  test('at scale 3 the longest caption, "T-shirt/top 0.97", fits under the 84-pixel tile at text scale 1', () => {
    const layout = sheetLayout({ count: 36, columns: 12, scale: 3 });
    expect(layout.u).toBe(1);
    for (const name of CLASS_NAMES) expect(textWidth(`${name} 0.97`, 1)).toBeLessThanOrEqual(84);
    expect(layout.cellWidth).toBe(84 + 2 * layout.frame);
  });

  test('at scale 2 captions are wider than the tile: the cell widens and the tile is centred in it', () => {
    const layout = sheetLayout({ count: 36, columns: 12, scale: 2 });
    expect(textWidth('T-shirt/top 0.97', layout.u)).toBeGreaterThan(56);
    for (const name of CLASS_NAMES) expect(textWidth(`${name} 0.97`, layout.u)).toBeLessThanOrEqual(layout.cellWidth);
    const place = layout.place(0);
    const left = place.x - place.cellX;
    const right = place.cellX + layout.cellWidth - (place.x + layout.tileSize);
    expect(left).toBeGreaterThan(2);
    expect(Math.abs(left - right)).toBeLessThanOrEqual(1);
  });

  test('layout depends on the options only: same options, same geometry whatever the data', () => {
    const a = predictionSheet({ ...input, count: 10, columns: 5 });
    const shuffled = { ...input, predictions: input.predictions.map((p) => (p + 1) % 10) };
    const b = predictionSheet({ ...shuffled, count: 10, columns: 5 });
    expect([a.image.width, a.image.height]).toEqual([b.image.width, b.image.height]);
    expect(a.tiles.map((t) => [t.x, t.y])).toEqual(b.tiles.map((t) => [t.x, t.y]));
  });
});

describe('sheet pixels', () => {
  for (const scale of [1, 2, 3, 5]) {
    test(`scale ${scale}: every tile is the nearest-neighbour upscaled source image, grey as r = g = b`, () => {
      const { image, tiles } = predictionSheet({ ...input, count: 12, columns: 5, scale });
      const png = viaPng(image);
      for (const tile of tiles) expectTileEquals(png, tile.x, tile.y, images, tile.index, scale);
    });
  }

  test('a wrong prediction has a red frame all round, a right one a frame that is not red', () => {
    const { image, tiles } = predictionSheet({ ...input, count: 20, columns: 5, scale: 3 });
    const png = viaPng(image);
    const layout = sheetLayout({ count: 20, columns: 5, scale: 3 });
    expect(tiles.filter((t) => t.wrong).map((t) => t.index)).toEqual([2, 7, 12, 17]);
    for (const tile of tiles) {
      const want = tile.wrong ? WRONG_FRAME : RIGHT_FRAME;
      const f = layout.frame;
      const ring = { x: tile.x - f, y: tile.y - f, width: layout.tileSize + 2 * f, height: layout.tileSize + 2 * f };
      const ringPixels = ring.width * ring.height - layout.tileSize * layout.tileSize;
      const inside = { x: tile.x, y: tile.y, width: layout.tileSize, height: layout.tileSize };
      const matching = countPixels(png, ring, isColor(want)) - countPixels(png, inside, isColor(want));
      expect(matching, `frame of tile ${tile.index}`).toBe(ringPixels);
      expect(isReddish(rgbAt(png, tile.x - 1, tile.y + 10)), `left frame of tile ${tile.index}`).toBe(tile.wrong);
    }
  });

  test('two caption lines under every tile: ink in both bands, red only on the prediction of a wrong tile', () => {
    const { image, tiles } = predictionSheet({ ...input, count: 20, columns: 5, scale: 3 });
    const png = viaPng(image);
    const layout = sheetLayout({ count: 20, columns: 5, scale: 3 });
    tiles.forEach((tile, slot) => {
      const place = layout.place(slot);
      const band = (line: number) => ({ x: place.cellX, y: place.captionY[line], width: layout.cellWidth, height: textHeight(layout.u) });
      expect(countPixels(png, band(0), notWhite), `true label of tile ${tile.index}`).toBeGreaterThan(20);
      expect(countPixels(png, band(1), notWhite), `prediction of tile ${tile.index}`).toBeGreaterThan(20);
      expect(countPixels(png, band(0), isColor(ERROR_RED))).toBe(0);
      expect(countPixels(png, band(1), isColor(ERROR_RED)) > 0, `red prediction text of tile ${tile.index}`).toBe(tile.wrong);
    });
  });

  test('captions stay inside their cells: the gaps between cells are blank', () => {
    const longNames = { ...input, labels: labels.map(() => 0), predictions: labels.map(() => 9) };
    const { image } = predictionSheet({ ...longNames, count: 12, columns: 6, scale: 3 });
    const png = viaPng(image);
    const layout = sheetLayout({ count: 12, columns: 6, scale: 3 });
    for (let column = 0; column + 1 < layout.columns; column++) {
      const right = layout.place(column).cellX + layout.cellWidth;
      const gap = { x: right, y: layout.gridTop, width: layout.place(column + 1).cellX - right, height: png.height - layout.gridTop };
      expect(countPixels(png, gap, notWhite), `gap after column ${column}`).toBe(0);
    }
  });

  test('the title block has text', () => {
    const { image } = predictionSheet({ ...input, count: 12 });
    const layout = sheetLayout({ count: 12 });
    const title = { x: 0, y: 0, width: layout.width, height: layout.gridTop };
    expect(countPixels(viaPng(image), title, notWhite)).toBeGreaterThan(100);
  });
});

describe('sheet selection', () => {
  test('onlyWrong shows the misclassified images in input order', () => {
    const { tiles } = predictionSheet({ ...input, onlyWrong: true, count: 5 });
    expect(tiles.map((t) => t.index)).toEqual([2, 7, 12, 17, 22]);
    expect(tiles.every((t) => t.wrong)).toBe(true);
  });

  test('count larger than the data shows all images; count 0 or no mistakes still gives a picture', () => {
    expect(predictionSheet({ ...input, count: 1000 }).tiles).toHaveLength(N);
    expect(predictionSheet({ ...input, count: 0 }).tiles).toHaveLength(0);
    const allRight = predictionSheet({ ...input, predictions: labels, onlyWrong: true });
    expect(allRight.tiles).toHaveLength(0);
    expect(countPixels(viaPng(allRight.image), { x: 0, y: 0, width: allRight.image.width, height: allRight.image.height }, notWhite)).toBeGreaterThan(0);
  });

  test('inconsistent inputs are rejected with the reason', () => {
    expect(() => predictionSheet({ ...input, predictions: predictions.slice(1) })).toThrow(/predictions has 39 entries/);
    expect(() => predictionSheet({ ...input, images: images.subarray(1) })).toThrow(/images has/);
    expect(() => predictionSheet({ ...input, scale: 1.5 })).toThrow(/scale/);
    expect(() => predictionSheet({ ...input, count: -1 })).toThrow(/count/);
  });
});
