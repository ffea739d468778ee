/**
 * PNG files for the report pictures (Node only: the browser shows the RgbaImage with putImageData).
 */
import { PNG } from 'pngjs';
import { writeFileAtomic } from '../io/files.js';
import type { RgbaImage } from './raster.js';

/**
 * PNG bytes of `image`. Written as 8-bit RGB: every report picture is opaque, and dropping the alpha
 * channel makes the files a quarter smaller.
 */
export function encodePng(image: RgbaImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png, { colorType: 2, inputHasAlpha: true });
}

/** Decodes PNG bytes to an RgbaImage (always RGBA, whatever the file's colour type). */
export function decodePng(bytes: Buffer): RgbaImage {
  const png = PNG.sync.read(bytes);
  return { width: png.width, height: png.height, data: new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}

/**
 * Writes `image` to `path` as PNG through the one atomic writer (src/io/files.ts): the folder is created if
 * needed, a reader never sees a half-written picture, and a failed write is one OutputError line.
 */
export async function writePng(path: string, image: RgbaImage): Promise<void> {
  writeFileAtomic(path, encodePng(image), 'PNG');
}
