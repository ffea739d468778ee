import { describe, expect, test } from 'vitest';
import { previewPicture } from '../../src/report/preview.js';
import { textHeight } from '../../src/report/raster.js';
import { countPixels, expectTileEquals, notWhite, viaPng } from './helpers.js';
import { syntheticImages } from './synthetic.js';

const labels = Array.from({ length: 50 }, (_, i) => (i * 3) % 10);
const images = syntheticImages(labels, 5);

describe('data preview', () => {
  test('defaults: 36 images in rows of 12, each the exact upscaled source', () => {
    const { image, tiles } = previewPicture({ images, labels });
    const png = viaPng(image);
    expect(tiles.map((t) => t.index)).toEqual(Array.from({ length: 36 }, (_, i) => i));
    expect(new Set(tiles.map((t) => t.y)).size).toBe(3);
    for (const tile of tiles) expectTileEquals(png, tile.x, tile.y, images, tile.index, 3);
  });

  test('a label under every image', () => {
    const scale = 2;
    const { image, tiles } = previewPicture({ images, labels, count: 10, columns: 5, scale });
    const png = viaPng(image);
    for (const tile of tiles) {
      const band = { x: tile.x - 10, y: tile.y + 28 * scale + 1, width: 28 * scale + 20, height: textHeight(1) + 4 };
      expect(countPixels(png, band, notWhite), `label of image ${tile.index}`).toBeGreaterThan(15);
    }
  });

  test('size grows with count, columns and scale; fewer images than columns make a narrower picture', () => {
    const size = (count: number, columns: number, scale: number) => {
      const { image } = previewPicture({ images, labels, count, columns, scale });
      return [image.width, image.height];
    };
    const [w1, h1] = size(12, 6, 2);
    const [w2, h2] = size(18, 6, 2);
    expect(w2).toBe(w1);
    expect(h2).toBeGreaterThan(h1);
    expect(size(3, 12, 2)[0]).toBeLessThan(size(12, 12, 2)[0]);
    expect(size(12, 6, 4)[0]).toBeGreaterThan(w1);
  });

  test('inconsistent inputs are rejected', () => {
    expect(() => previewPicture({ images: images.subarray(784), labels })).toThrow(/images has/);
    expect(() => previewPicture({ images, labels, scale: 0 })).toThrow(/scale/);
  });
});
