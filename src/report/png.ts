/**
 * PNG files for the report pictures (Node only: the browser shows the RgbaImage with putImageData).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PNG } from 'pngjs';
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
 * Writes `image` to `path` as PNG, creating the folder if needed. The bytes go to a temporary file
 * beside the target first and are renamed over it, so a reader (or an interrupted run) never sees a
 * half-written picture.
 */
export async function writePng(path: string, image: RgbaImage): Promise<void> {
  const bytes = encodePng(image);
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
