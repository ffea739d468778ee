/**
 * Confusion matrix on the test set: rows are true classes, columns predicted classes, each cell
 * coloured by its count on a white-to-blue scale with the count written in it, a colour bar on the
 * right, class names on both axes.
 */
import { CLASS_NAMES, className } from './classes.js';
import { colorBarWidth, drawColorBar, drawTitle, marginFor, niceTicks, titleHeight } from './parts.js';
import {
  INK, MUTED, type RgbaImage, type Rgb, capHeight, createImage, drawTextAligned, fillRect, fitText, lineHeight,
  sequentialColor, textColorOn, textWidth,
} from './raster.js';

/**
 * counts[t * classes + p] = how many samples of true class t were predicted as p. Labels or
 * predictions outside [0, classes) are an error: they mean the caller mixed up arrays.
 */
export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>, classes = 10): Uint32Array {
  if (labels.length !== predictions.length) {
    throw new RangeError(`confusionMatrix: ${labels.length} labels but ${predictions.length} predictions`);
  }
  const counts = new Uint32Array(classes * classes);
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i];
    const p = predictions[i];
    if (!(Number.isInteger(t) && Number.isInteger(p) && t >= 0 && p >= 0 && t < classes && p < classes)) {
      throw new RangeError(`confusionMatrix: sample ${i} has label ${t}, prediction ${p}; both must be in [0, ${classes})`);
    }
    counts[t * classes + p]++;
  }
  return counts;
}

/** Options of `confusionPicture`. */
export interface ConfusionOptions {
  /** Class names for the rows and columns, index = label; default the ten of Fashion-MNIST. */
  classNames?: readonly string[] | undefined;
  /** Multiplies every size, text included. */
  scale?: number | undefined;
  /** Replaces the first title line. */
  title?: string | undefined;
}

/** A cell's rectangle in the picture, in pixels. */
export interface CellBox {
  /** Left edge, in pixels. */
  x: number;
  /** Top edge, in pixels. */
  y: number;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/** A drawn confusion matrix and where its cells are. */
export interface ConfusionPicture {
  /** The matrix as an RGBA image. */
  image: RgbaImage;
  /** The box of cell (true row, predicted column). */
  cell(row: number, column: number): CellBox;
}

interface Layout {
  u: number;
  classes: number;
  names: string[];
  /** Top-left of the matrix. */
  x: number;
  y: number;
  cellW: number;
  cellH: number;
  barX: number;
  width: number;
  height: number;
}

const CELL_LINE: Rgb = [255, 255, 255];

function classCount(matrix: Uint32Array): number {
  const classes = Math.round(Math.sqrt(matrix.length));
  if (classes * classes !== matrix.length || classes === 0) {
    throw new RangeError(`confusion: matrix of ${matrix.length} counts is not square`);
  }
  return classes;
}

function layout(matrix: Uint32Array, options: ConfusionOptions, max: number): Layout {
  const u = options.scale ?? 1;
  if (!Number.isInteger(u) || u < 1) throw new RangeError(`confusion: scale must be a positive integer, got ${u}`);
  const classes = classCount(matrix);
  const names = Array.from({ length: classes }, (_, i) => className(options.classNames ?? CLASS_NAMES, i));
  const widestName = Math.max(...names.map((n) => textWidth(n, u)));
  const widestCount = textWidth(String(max), u);
  // Cells wide enough for a column's class name, so names sit horizontally above their column.
  const cellW = Math.max(widestName, widestCount) + 8 * u;
  const cellH = Math.max(lineHeight(u) + 14 * u, Math.round(cellW * 0.5));
  const m = marginFor(u);
  const x = m + widestName + 8 * u;
  const y = m + titleHeight(2, u) + 2 * lineHeight(u) + 6 * u;
  const barX = x + classes * cellW + 16 * u;
  const width = barX + colorBarWidth(niceTicks(0, max), u) + m;
  const height = y + classes * cellH + m;
  return { u, classes, names, x, y, cellW, cellH, barX, width, height };
}

function cellBox(l: Layout, row: number, column: number): CellBox {
  return { x: l.x + column * l.cellW, y: l.y + row * l.cellH, width: l.cellW, height: l.cellH };
}

function drawCells(image: RgbaImage, l: Layout, matrix: Uint32Array, max: number): void {
  for (let row = 0; row < l.classes; row++) {
    for (let column = 0; column < l.classes; column++) {
      const count = matrix[row * l.classes + column];
      const box = cellBox(l, row, column);
      const background = sequentialColor(count / max);
      fillRect(image, box.x, box.y, box.width, box.height, background);
      // Zeros in grey so the eye goes to the cells that hold something.
      const ink = count === 0 ? MUTED : textColorOn(background);
      const textTop = box.y + Math.floor((box.height - capHeight(l.u)) / 2);
      drawTextAligned(image, box.x + Math.floor(box.width / 2), textTop, String(count), ink, 'center', l.u);
    }
  }
  // Thin white rules separate equal neighbours (two near-white zero cells would otherwise merge).
  for (let k = 1; k < l.classes; k++) {
    fillRect(image, l.x + k * l.cellW, l.y, 1, l.classes * l.cellH, CELL_LINE);
    fillRect(image, l.x, l.y + k * l.cellH, l.classes * l.cellW, 1, CELL_LINE);
  }
}

function drawAxes(image: RgbaImage, l: Layout): void {
  const { u } = l;
  const namesTop = l.y - lineHeight(u) - 2 * u;
  l.names.forEach((name, i) => {
    const rowBox = cellBox(l, i, 0);
    const columnBox = cellBox(l, 0, i);
    drawTextAligned(image, l.x - 6 * u, rowBox.y + Math.floor((l.cellH - capHeight(u)) / 2), name, INK, 'right', u);
    drawTextAligned(image, columnBox.x + Math.floor(l.cellW / 2), namesTop, name, INK, 'center', u);
  });
  // Both axis titles on the line above the column names: "true class" over the row names, "predicted
  // class" over the columns, so neither can be read as part of a class name.
  const axisTop = namesTop - lineHeight(u) - 2 * u;
  drawTextAligned(image, l.x + Math.floor((l.classes * l.cellW) / 2), axisTop, 'predicted class', MUTED, 'center', u);
  drawTextAligned(image, l.x - 6 * u, axisTop, 'true class', MUTED, 'right', u);
}

function titleLines(matrix: Uint32Array, l: Layout, options: ConfusionOptions): string[] {
  const total = matrix.reduce((a, b) => a + b, 0);
  let right = 0;
  for (let i = 0; i < l.classes; i++) right += matrix[i * l.classes + i];
  const accuracy = total === 0 ? 'n/a' : `${((100 * right) / total).toFixed(2)}%`;
  return [
    options.title ?? `Confusion matrix on the test set: ${total} images, accuracy ${accuracy}`,
    'Rows: true class. Columns: predicted class. Diagonal: right predictions.',
  ];
}

/** Draws a matrix made by confusionMatrix (row = true class, column = predicted class). */
export function confusionPicture(matrix: Uint32Array, options: ConfusionOptions = {}): ConfusionPicture {
  // An all-zero matrix still gets a usable scale rather than a division by zero.
  const max = Math.max(1, ...matrix);
  const l = layout(matrix, options, max);
  const image = createImage(l.width, l.height);
  const m = marginFor(l.u);
  drawTitle(image, m, m, titleLines(matrix, l, options).map((t) => fitText(t, l.width - 2 * m, l.u)), l.u);
  drawCells(image, l, matrix, max);
  drawAxes(image, l);
  drawColorBar(image, {
    x: l.barX, y: l.y, height: l.classes * l.cellH, min: 0, max,
    colorOf: (v) => sequentialColor(v / max), ticks: niceTicks(0, max), u: l.u,
  });
  return { image, cell: (row, column) => cellBox(l, row, column) };
}
