/**
 * Data preview (d2l 3.5): a grid of training images with their labels, to see what the model is
 * asked to learn before training it. Same grid as the prediction sheet, one caption line, no frames.
 */
import { CLASS_NAMES, IMAGE_PIXELS, IMAGE_SIDE, className } from './classes.js';
import { type TileGrid, drawCaption, tileGrid } from './grid.js';
import { drawTitle, textScaleFor } from './parts.js';
import { INK, type RgbaImage, blitGray, createImage, fitText, textWidth } from './raster.js';
import { SHEET_DEFAULTS } from './sheet.js';

/** Images and labels for `previewPicture`. */
export interface PreviewInput {
  /** N images of 28x28 u8 grey, row-major, one after another. */
  images: Uint8Array;
  /** N labels. */
  labels: ArrayLike<number>;
  /** Images to show at most (the first ones). */
  count?: number | undefined;
  /** Images per row. */
  columns?: number | undefined;
  /** Integer upscale of each image. */
  scale?: number | undefined;
  /** Class names for the captions, index = label; default the ten of Fashion-MNIST. */
  classNames?: readonly string[] | undefined;
  /** The title line. */
  title?: string | undefined;
}

/** Where one image of a preview was drawn. */
export interface PreviewTile {
  /** Index of the image in the input. */
  index: number;
  /** Top-left of the upscaled image. */
  x: number;
  /** Top edge of the upscaled image, in pixels. */
  y: number;
}

/** A drawn data preview and where each image landed. */
export interface PreviewPicture {
  /** The preview as an RGBA image. */
  image: RgbaImage;
  /** Where each image was drawn, in drawing order. */
  tiles: PreviewTile[];
}

function checkInput(input: PreviewInput): number {
  const n = input.labels.length;
  if (input.images.length !== n * IMAGE_PIXELS) {
    throw new RangeError(`preview: images has ${input.images.length} bytes, expected ${n} x ${IMAGE_PIXELS}`);
  }
  const count = input.count ?? SHEET_DEFAULTS.count;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`preview: count must be a non-negative integer, got ${count}`);
  return Math.min(n, count);
}

export interface PreviewLayoutOptions {
  /** Tiles actually drawn. */
  count: number;
  columns?: number | undefined;
  scale?: number | undefined;
  classNames?: readonly string[] | undefined;
}

export interface PreviewLayout extends TileGrid {
  scale: number;
  /** Text scale. */
  u: number;
}

/** Where everything of a preview with `count` tiles goes; depends on the options only, never on the data. */
export function previewLayout(options: PreviewLayoutOptions): PreviewLayout {
  const scale = options.scale ?? SHEET_DEFAULTS.scale;
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`preview: scale must be a positive integer, got ${scale}`);
  const u = textScaleFor(scale);
  const names = options.classNames ?? CLASS_NAMES;
  const grid = tileGrid({
    count: options.count,
    columns: options.columns ?? SHEET_DEFAULTS.columns,
    tileWidth: IMAGE_SIDE * scale,
    tileHeight: IMAGE_SIDE * scale,
    frame: 0,
    captionLines: 1,
    captionWidth: Math.max(...names.map((n) => textWidth(n, u))),
    u,
    titleLines: 1,
    titleWidth: 0,
  });
  return { ...grid, scale, u };
}

/** Draws a grid of images with their labels (d2l 3.5's look at the data). */
export function previewPicture(input: PreviewInput): PreviewPicture {
  const shown = checkInput(input);
  const names = input.classNames ?? CLASS_NAMES;
  const grid = previewLayout({ count: shown, columns: input.columns, scale: input.scale, classNames: names });
  const { scale, u } = grid;
  const title = input.title ?? `Training data: the first ${shown} images and their labels`;
  const image = createImage(grid.width, grid.height);
  drawTitle(image, grid.margin, grid.margin, [fitText(title, grid.width - 2 * grid.margin, u)], u);
  const tiles = Array.from({ length: shown }, (_, index) => {
    const place = grid.place(index);
    blitGray(image, place.x, place.y, input.images, IMAGE_SIDE, IMAGE_SIDE, scale, index * IMAGE_PIXELS);
    drawCaption(image, grid, place, 0, className(names, input.labels[index]), INK, u);
    return { index, x: place.x, y: place.y };
  });
  return { image, tiles };
}
