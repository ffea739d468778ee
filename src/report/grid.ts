/**
 * The captioned tile grid shared by the prediction sheet, the data preview and the weight templates:
 * a title block, then rows of cells, each cell a (framed) tile with caption lines centred under it.
 *
 * Cells are as wide as the wider of the framed tile and the widest caption the picture can produce,
 * with the tile centred in the cell. With the proportional font the longest sheet caption,
 * "T-shirt/top 0.97", is 82 px at text scale 1, so at the default scale 3 (84 px tiles) cells are just
 * the framed tiles; at scales 1 and 2 the cells grow wider than the tiles instead of abbreviating class
 * names. Either way no caption is cut or overlaps a neighbour, and the geometry depends only on the
 * options, never on the data, so two sheets of the same size line up.
 */
import { marginFor, titleHeight } from './parts.js';
import { type RgbaImage, type Rgb, drawText, fitText, lineHeight, textWidth } from './raster.js';

export interface TileGridSpec {
  /** Number of tiles (0 is allowed: the grid then keeps one empty row for a message). */
  count: number;
  /** Tiles per row at most; fewer tiles than this make a narrower picture. */
  columns: number;
  /** Tile size in output pixels (already multiplied by the image scale). */
  tileWidth: number;
  tileHeight: number;
  /** Frame thickness drawn outside each tile (0: none). */
  frame: number;
  captionLines: number;
  /** Widest caption the picture can produce, in pixels; the cell is made at least this wide. */
  captionWidth: number;
  /** Text scale, also the unit for margins and gaps. */
  u: number;
  /** Lines in the title block above the grid. */
  titleLines: number;
  /** Widest title line, so a grid of few tiles still shows its whole title. */
  titleWidth: number;
  /** Extra space right of the grid for a legend or colour bar. */
  extraRight?: number | undefined;
}

export interface TilePlace {
  /** Top-left of the tile itself (inside its frame). */
  x: number;
  y: number;
  /** The cell: tile, frame and captions. */
  cellX: number;
  cellY: number;
  /** Horizontal centre of the cell, where captions are centred. */
  centerX: number;
  /** Top of each caption line. */
  captionY: number[];
}

export interface TileGrid {
  width: number;
  height: number;
  columns: number;
  rows: number;
  cellWidth: number;
  cellHeight: number;
  /** Left edge and top of the title block. */
  margin: number;
  /** Left edge of the space reserved by extraRight. */
  gridRight: number;
  /** Top of the first row of cells. */
  gridTop: number;
  place(index: number): TilePlace;
}

/** Gap between a tile's frame and its first caption line. */
function captionGap(u: number): number {
  return 3 * u;
}

function checkSpec(spec: TileGridSpec): void {
  const ints: Array<keyof TileGridSpec> = ['count', 'columns', 'tileWidth', 'tileHeight', 'frame', 'captionLines', 'u'];
  for (const key of ints) {
    const v = spec[key] as number;
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`tile grid: ${key} must be a non-negative integer, got ${v}`);
  }
  if (spec.columns < 1 || spec.u < 1) throw new RangeError('tile grid: columns and text scale must be at least 1');
}

export function tileGrid(spec: TileGridSpec): TileGrid {
  checkSpec(spec);
  const { u, frame } = spec;
  const margin = marginFor(u);
  const gapX = 8 * u;
  const gapY = 8 * u;
  const columns = Math.min(spec.columns, Math.max(1, spec.count));
  const rows = Math.max(1, Math.ceil(spec.count / columns));
  const cellWidth = Math.max(spec.tileWidth + 2 * frame, spec.captionWidth);
  const captions = spec.captionLines === 0 ? 0 : captionGap(u) + spec.captionLines * lineHeight(u);
  const cellHeight = spec.tileHeight + 2 * frame + captions;
  const gridTop = margin + titleHeight(spec.titleLines, u);
  const gridRight = margin + columns * cellWidth + (columns - 1) * gapX;
  const width = Math.max(gridRight + (spec.extraRight ?? 0), margin + spec.titleWidth) + margin;
  const height = gridTop + rows * cellHeight + (rows - 1) * gapY + margin;
  const place = (index: number): TilePlace => {
    const cellX = margin + (index % columns) * (cellWidth + gapX);
    const cellY = gridTop + Math.floor(index / columns) * (cellHeight + gapY);
    const y = cellY + frame;
    const firstCaption = y + spec.tileHeight + frame + captionGap(u);
    return {
      x: cellX + Math.floor((cellWidth - spec.tileWidth) / 2),
      y,
      cellX,
      cellY,
      centerX: cellX + Math.floor(cellWidth / 2),
      captionY: Array.from({ length: spec.captionLines }, (_, k) => firstCaption + k * lineHeight(u)),
    };
  };
  return { width, height, columns, rows, cellWidth, cellHeight, margin, gridRight, gridTop, place };
}

/** Caption line `line` of a tile, centred in its cell and cut to the cell width if it must be. */
export function drawCaption(
  image: RgbaImage, grid: TileGrid, place: TilePlace, line: number, text: string, color: Rgb, u: number,
): void {
  const fitted = fitText(text, grid.cellWidth, u);
  drawText(image, place.centerX - Math.floor(textWidth(fitted, u) / 2), place.captionY[line], fitted, color, u);
}
