/**
 * Shared checks for the report tests. Every assertion runs on the picture after a PNG round trip
 * (encodePng then pngjs decode), so what is tested is what lands in the file.
 */
import { expect } from 'vitest';
import { decodePng, encodePng } from '../../src/report/png.js';
import type { Rgb, RgbaImage } from '../../src/report/raster.js';

export function viaPng(image: RgbaImage): RgbaImage {
  return decodePng(encodePng(image));
}

export function rgbAt(image: RgbaImage, x: number, y: number): Rgb {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) throw new RangeError(`(${x}, ${y}) is outside ${image.width}x${image.height}`);
  const i = (y * image.width + x) * 4;
  return [image.data[i], image.data[i + 1], image.data[i + 2]];
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** How many pixels in `rect` satisfy `test`. */
export function countPixels(image: RgbaImage, rect: Rect, test: (c: Rgb) => boolean): number {
  let n = 0;
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    for (let x = rect.x; x < rect.x + rect.width; x++) if (test(rgbAt(image, x, y))) n++;
  }
  return n;
}

export const isColor = (want: Rgb) => (c: Rgb) => c[0] === want[0] && c[1] === want[1] && c[2] === want[2];
export const notWhite = (c: Rgb) => !(c[0] === 255 && c[1] === 255 && c[2] === 255);
export const isReddish = (c: Rgb) => c[0] > 150 && c[0] - c[2] > 60 && c[0] - c[1] > 60;
export const isBluish = (c: Rgb) => c[2] > 120 && c[2] - c[0] > 60;
export const isWhitish = (c: Rgb) => Math.min(...c) > 235;

/** Asserts that the scale x scale upscaled 28x28 grey image `index` of `images` sits at (x, y), exactly. */
export function expectTileEquals(image: RgbaImage, x: number, y: number, images: Uint8Array, index: number, scale: number): void {
  let mismatches = 0;
  let first = '';
  for (let ty = 0; ty < 28 * scale; ty++) {
    for (let tx = 0; tx < 28 * scale; tx++) {
      const v = images[index * 784 + Math.floor(ty / scale) * 28 + Math.floor(tx / scale)];
      const got = rgbAt(image, x + tx, y + ty);
      if (got[0] !== v || got[1] !== v || got[2] !== v) {
        if (mismatches++ === 0) first = `(${tx}, ${ty}) is ${got.join(',')}, want grey ${v}`;
      }
    }
  }
  expect(mismatches, `tile of image ${index} at (${x}, ${y}): first mismatch ${first}`).toBe(0);
}
