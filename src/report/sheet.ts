/**
 * Prediction sheet (d2l `show_fashion_mnist` style): test images in a grid, under each its true label
 * and the predicted label with the predicted class's probability. Wrong predictions get a red frame and
 * a red prediction line; right ones a green frame, so mistakes stand out at a glance.
 */
import { CLASS_NAMES, IMAGE_PIXELS, IMAGE_SIDE, className } from './classes.js';
import { type TileGrid, drawCaption, tileGrid } from './grid.js';
import { drawTitle, textScaleFor } from './parts.js';
import {
  ERROR_RED, INK, MUTED, OK_GREEN_TEXT, type RgbaImage, type Rgb, blitGray, border, createImage, drawTextAligned, fitText,
  textWidth,
} from './raster.js';

/** Defaults shared with the CLI's --count, --columns and --scale. */
export const SHEET_DEFAULTS = {
  /** Images on a sheet. */
  count: 36,
  /** Images per row. */
  columns: 12,
  /** Integer upscale of each image. */
  scale: 3,
} as const;

/** Frame of a right prediction: a calm green, never mistakable for ERROR_RED. */
export const RIGHT_FRAME: Rgb = [120, 190, 120];
/** Frame of a wrong prediction. */
export const WRONG_FRAME: Rgb = ERROR_RED;

/** Images with their true and predicted labels, for `predictionSheet`. */
export interface PredictionSheetInput {
  /** N images of 28x28 u8 grey, row-major, one after another. */
  images: Uint8Array;
  /** N true labels. */
  labels: ArrayLike<number>;
  /** N predicted labels. */
  predictions: ArrayLike<number>;
  /** N probabilities of the predicted class. */
  probabilities: ArrayLike<number>;
  /** Tiles to show at most (the first ones in input order, after the onlyWrong filter). */
  count?: number | undefined;
  /** Images per row. */
  columns?: number | undefined;
  /** Integer upscale of each 28x28 image. */
  scale?: number | undefined;
  /** Show only misclassified images. */
  onlyWrong?: boolean | undefined;
  /** Class names for the captions, index = label; default the ten of Fashion-MNIST. */
  classNames?: readonly string[] | undefined;
  /** Replaces the first title line. */
  title?: string | undefined;
}

/** Where one image of a prediction sheet was drawn, and whether its prediction is wrong. */
export interface SheetTile {
  /** Index of the image in the input arrays. */
  index: number;
  /** Top-left of the upscaled image in the sheet. */
  x: number;
  /** Top edge of the upscaled image, in pixels. */
  y: number;
  /** Whether the prediction is wrong (drawn in red). */
  wrong: boolean;
}

/** A drawn prediction sheet and where each image landed. */
export interface PredictionSheet {
  /** The sheet as an RGBA image. */
  image: RgbaImage;
  /** Where each image was drawn, in drawing order. */
  tiles: SheetTile[];
}

export interface SheetLayoutOptions {
  /** Tiles actually drawn. */
  count: number;
  columns?: number | undefined;
  scale?: number | undefined;
  classNames?: readonly string[] | undefined;
}

export interface SheetLayout extends TileGrid {
  scale: number;
  /** Text scale. */
  u: number;
  /** Frame thickness around each image. */
  frame: number;
  /** Side of an upscaled image. */
  tileSize: number;
}

const TITLE_LINES = 2;

/** Widest caption any tile can get: digits are fixed-width, so "0.00" is as wide as any probability. */
function widestCaption(names: readonly string[], u: number): number {
  return Math.max(...names.map((n) => textWidth(`${n} 0.00`, u)));
}

/** Where everything of a sheet with `count` tiles goes; depends on the options only, never on the data. */
export function sheetLayout(options: SheetLayoutOptions): SheetLayout {
  const scale = options.scale ?? SHEET_DEFAULTS.scale;
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`sheet: scale must be a positive integer, got ${scale}`);
  const u = textScaleFor(scale);
  const frame = Math.max(1, Math.round(scale / 2));
  const tileSize = IMAGE_SIDE * scale;
  const grid = tileGrid({
    count: options.count,
    columns: options.columns ?? SHEET_DEFAULTS.columns,
    tileWidth: tileSize,
    tileHeight: tileSize,
    frame,
    captionLines: 2,
    captionWidth: widestCaption(options.classNames ?? CLASS_NAMES, u),
    u,
    titleLines: TITLE_LINES,
    titleWidth: 0,
  });
  return { ...grid, scale, u, frame, tileSize };
}

function checkInput(input: PredictionSheetInput): number {
  const n = input.labels.length;
  const lengths = { predictions: input.predictions.length, probabilities: input.probabilities.length };
  for (const [name, length] of Object.entries(lengths)) {
    if (length !== n) throw new RangeError(`sheet: ${name} has ${length} entries but labels has ${n}`);
  }
  if (input.images.length !== n * IMAGE_PIXELS) {
    throw new RangeError(`sheet: images has ${input.images.length} bytes, expected ${n} x ${IMAGE_PIXELS}`);
  }
  const count = input.count ?? SHEET_DEFAULTS.count;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`sheet: count must be a non-negative integer, got ${count}`);
  return n;
}

/** Indices of the images to show, in input order. */
function selectTiles(input: PredictionSheetInput, n: number): number[] {
  const limit = input.count ?? SHEET_DEFAULTS.count;
  const chosen: number[] = [];
  for (let i = 0; i < n && chosen.length < limit; i++) {
    if (!input.onlyWrong || input.predictions[i] !== input.labels[i]) chosen.push(i);
  }
  return chosen;
}

function countWrong(input: PredictionSheetInput, indices: readonly number[]): number {
  return indices.filter((i) => input.predictions[i] !== input.labels[i]).length;
}

function titleLines(input: PredictionSheetInput, shown: readonly number[]): string[] {
  const wrong = countWrong(input, shown);
  const summary = input.onlyWrong
    ? `${shown.length} misclassified test images`
    : `Predictions on ${shown.length} test images: ${wrong} wrong${wrong > 0 ? ' (red)' : ''}`;
  return [input.title ?? summary, 'Under each image: true label, then predicted label and its probability'];
}

function drawTile(image: RgbaImage, layout: SheetLayout, slot: number, input: PredictionSheetInput, index: number): SheetTile {
  const names = input.classNames ?? CLASS_NAMES;
  const place = layout.place(slot);
  const wrong = input.predictions[index] !== input.labels[index];
  const size = layout.tileSize;
  blitGray(image, place.x, place.y, input.images, IMAGE_SIDE, IMAGE_SIDE, layout.scale, index * IMAGE_PIXELS);
  border(image, place.x, place.y, size, size, wrong ? WRONG_FRAME : RIGHT_FRAME, layout.frame);
  const predicted = `${className(names, input.predictions[index])} ${input.probabilities[index].toFixed(2)}`;
  drawCaption(image, layout, place, 0, className(names, input.labels[index]), INK, layout.u);
  drawCaption(image, layout, place, 1, predicted, wrong ? ERROR_RED : OK_GREEN_TEXT, layout.u);
  return { index, x: place.x, y: place.y, wrong };
}

/** Draws the prediction sheet: images in a grid, each with its true label and prediction; wrong ones framed in red. */
export function predictionSheet(input: PredictionSheetInput): PredictionSheet {
  const n = checkInput(input);
  const shown = selectTiles(input, n);
  const layout = sheetLayout({ count: shown.length, columns: input.columns, scale: input.scale, classNames: input.classNames });
  const image = createImage(layout.width, layout.height);
  const lines = titleLines(input, shown).map((t) => fitText(t, layout.width - 2 * layout.margin, layout.u));
  drawTitle(image, layout.margin, layout.margin, lines, layout.u);
  const tiles = shown.map((index, slot) => drawTile(image, layout, slot, input, index));
  if (shown.length === 0) {
    drawTextAligned(image, layout.place(0).centerX, layout.gridTop, fitText('nothing to show', layout.cellWidth, layout.u), MUTED, 'center', layout.u);
  }
  return { image, tiles };
}
