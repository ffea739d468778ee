/**
 * RGBA raster and the drawing primitives every report picture is built from.
 *
 * The image has exactly the layout of the browser's ImageData (row-major, 4 bytes per pixel, straight
 * alpha), so the web page can `putImageData` what these functions draw. No Node API may be imported
 * here: the same module runs in the browser. Everything clips to the image, so callers can lay out
 * without bounds checks, and everything uses integer coordinates, so pictures are reproducible to the
 * pixel (the golden test depends on that).
 */
import { FONT_ASCENT, FONT_DESCENT, FONT_LETTER_SPACING, FONT_LINE_HEIGHT, glyph } from './font.js';

/** A picture: `width * height` pixels of 4 bytes (RGBA), row-major, as the browser's ImageData. */
export interface RgbaImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** width * height * 4 bytes, RGBA, row-major, top row first. */
  data: Uint8ClampedArray;
}

/** An opaque colour, 0..255 per channel. */
export type Rgb = readonly [number, number, number];

export const WHITE: Rgb = [255, 255, 255];
export const BLACK: Rgb = [0, 0, 0];
/** Body text: softer than pure black, still high contrast on white. */
export const INK: Rgb = [34, 34, 34];
/** Secondary text, axes captions. */
export const MUTED: Rgb = [110, 110, 110];
/** Grid lines and frames that should recede. */
export const RULE: Rgb = [215, 215, 215];
/** Marks a mistake: wrong predictions' labels and borders. */
export const ERROR_RED: Rgb = [214, 39, 40];
/** Text of a correct prediction: green, far from red at a glance, dark enough for 1-pixel strokes on white. */
export const OK_GREEN_TEXT: Rgb = [28, 110, 28];

/**
 * Largest picture drawn, in pixels: 64 megapixels (256 MB of RGBA). The default sheet is 0.4 megapixels; the
 * CLI checks its flags against this before any work (src/cli/pictures.ts), and createImage refuses past it.
 */
export const MAX_IMAGE_PIXELS = 64_000_000;

export function createImage(width: number, height: number, background: Rgb = WHITE): RgbaImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`createImage: size must be positive integers, got ${width}x${height}`);
  }
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new RangeError(`createImage: ${width}x${height} is more than the ${MAX_IMAGE_PIXELS / 1e6}-megapixel limit`);
  }
  const image = { width, height, data: new Uint8ClampedArray(width * height * 4) };
  fillRect(image, 0, 0, width, height, background);
  return image;
}

/** [r, g, b, a] at (x, y); out-of-bounds reads are an error because they always mean a wrong test. */
export function getPixel(image: RgbaImage, x: number, y: number): [number, number, number, number] {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) {
    throw new RangeError(`getPixel: (${x}, ${y}) is outside ${image.width}x${image.height}`);
  }
  const i = (y * image.width + x) * 4;
  const d = image.data;
  return [d[i], d[i + 1], d[i + 2], d[i + 3]];
}

export function setPixel(image: RgbaImage, x: number, y: number, color: Rgb): void {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  const i = (y * image.width + x) * 4;
  image.data[i] = color[0];
  image.data[i + 1] = color[1];
  image.data[i + 2] = color[2];
  image.data[i + 3] = 255;
}

/** Fills [x, x+w) x [y, y+h), clipped to the image. */
export function fillRect(image: RgbaImage, x: number, y: number, w: number, h: number, color: Rgb): void {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(image.width, Math.floor(x + w));
  const y1 = Math.min(image.height, Math.floor(y + h));
  const d = image.data;
  for (let row = y0; row < y1; row++) {
    for (let i = (row * image.width + x0) * 4, end = (row * image.width + x1) * 4; i < end; i += 4) {
      d[i] = color[0];
      d[i + 1] = color[1];
      d[i + 2] = color[2];
      d[i + 3] = 255;
    }
  }
}

/** Outline whose outer edge is the rectangle [x, x+w) x [y, y+h): the stroke eats into the box. */
export function strokeRect(image: RgbaImage, x: number, y: number, w: number, h: number, color: Rgb, thickness = 1): void {
  const t = Math.min(thickness, Math.ceil(w / 2), Math.ceil(h / 2));
  fillRect(image, x, y, w, t, color);
  fillRect(image, x, y + h - t, w, t, color);
  fillRect(image, x, y + t, t, h - 2 * t, color);
  fillRect(image, x + w - t, y + t, t, h - 2 * t, color);
}

/** Frame drawn just outside the content box [x, x+w) x [y, y+h), so the content itself stays untouched. */
export function border(image: RgbaImage, x: number, y: number, w: number, h: number, color: Rgb, thickness = 1): void {
  strokeRect(image, x - thickness, y - thickness, w + 2 * thickness, h + 2 * thickness, color, thickness);
}

export interface StrokeStyle {
  /** Pen width in pixels (a square brush). */
  width?: number | undefined;
  /** [on, off] lengths in pixel steps; omitted for a solid line. */
  dash?: readonly [number, number] | undefined;
}

/** Integer point on a line or polyline. */
export type Point = readonly [number, number];

/**
 * Bresenham line with a square pen. `phase` continues a dash pattern across the segments of a
 * polyline, so a dashed curve does not restart its pattern at every data point; the new phase is
 * returned.
 */
export function line(image: RgbaImage, from: Point, to: Point, color: Rgb, style: StrokeStyle = {}, phase = 0): number {
  const pen = Math.max(1, Math.round(style.width ?? 1));
  const half = Math.floor((pen - 1) / 2);
  let [x, y] = [Math.round(from[0]), Math.round(from[1])];
  const [x1, y1] = [Math.round(to[0]), Math.round(to[1])];
  const dx = Math.abs(x1 - x);
  const dy = -Math.abs(y1 - y);
  const sx = x < x1 ? 1 : -1;
  const sy = y < y1 ? 1 : -1;
  let err = dx + dy;
  const period = style.dash ? style.dash[0] + style.dash[1] : 0;
  for (;;) {
    if (!style.dash || phase % period < style.dash[0]) fillRect(image, x - half, y - half, pen, pen, color);
    if (x === x1 && y === y1) return phase;
    phase++;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y += sy;
    }
  }
}

export function polyline(image: RgbaImage, points: readonly Point[], color: Rgb, style: StrokeStyle = {}): void {
  if (points.length === 1) line(image, points[0], points[0], color, style);
  let phase = 0;
  for (let i = 1; i < points.length; i++) phase = line(image, points[i - 1], points[i], color, style, phase);
}

function checkBlit(what: string, length: number, offset: number, w: number, h: number, scale: number): void {
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`${what}: scale must be a positive integer, got ${scale}`);
  if (offset < 0 || offset + w * h > length) {
    throw new RangeError(`${what}: source of ${length} values has no ${w}x${h} image at offset ${offset}`);
  }
}

/**
 * Copies a w x h grey image (u8, row-major, starting at `offset` in `source`) to (x, y), each source
 * pixel becoming a scale x scale block with r = g = b = the grey value (nearest neighbour, no smoothing,
 * so every pixel of the dataset stays visible as it is).
 */
export function blitGray(
  image: RgbaImage, x: number, y: number,
  source: ArrayLike<number>, w: number, h: number, scale: number, offset = 0,
): void {
  checkBlit('blitGray', source.length, offset, w, h, scale);
  for (let sy = 0; sy < h; sy++) {
    for (let sx = 0; sx < w; sx++) {
      const v = source[offset + sy * w + sx];
      fillRect(image, x + sx * scale, y + sy * scale, scale, scale, [v, v, v]);
    }
  }
}

/**
 * Like blitGray for data that is not a picture yet: the w x h values are read with `stride` between
 * neighbours (so a column of a row-major matrix can be drawn in place) and coloured by `colorOf`.
 */
export function blitMapped(
  image: RgbaImage, x: number, y: number,
  values: ArrayLike<number>, w: number, h: number, scale: number,
  colorOf: (value: number) => Rgb, offset = 0, stride = 1,
): void {
  checkBlit('blitMapped', values.length, offset, (w * h - 1) * stride + 1, 1, scale);
  for (let sy = 0; sy < h; sy++) {
    for (let sx = 0; sx < w; sx++) {
      fillRect(image, x + sx * scale, y + sy * scale, scale, scale, colorOf(values[offset + (sy * w + sx) * stride]));
    }
  }
}

// ---------------------------------------------------------------------------------------------- text

/** Height of the ink box of one line (ascent + descent) at `scale`. */
export function textHeight(scale = 1): number {
  return (FONT_ASCENT + FONT_DESCENT) * scale;
}

/** Height of a capital letter or digit at `scale`: what to centre on when aligning a label to a mark. */
export function capHeight(scale = 1): number {
  return FONT_ASCENT * scale;
}

/** Top-to-top distance between lines at `scale`. */
export function lineHeight(scale = 1): number {
  return FONT_LINE_HEIGHT * scale;
}

/** Width in pixels of `text` drawn at `scale` (no trailing letter spacing). */
export function textWidth(text: string, scale = 1): number {
  let w = 0;
  for (const char of text) w += glyph(char).width + FONT_LETTER_SPACING;
  return text.length === 0 ? 0 : (w - FONT_LETTER_SPACING) * scale;
}

/**
 * Draws one line of text with its top-left corner at (x, y) (y is the top of the capitals, the
 * descenders reach textHeight(scale) below it). Returns the width drawn, as textWidth.
 */
export function drawText(image: RgbaImage, x: number, y: number, text: string, color: Rgb, scale = 1): number {
  let pen = x;
  for (const char of text) {
    const g = glyph(char);
    g.rows.forEach((bits, row) => {
      for (let col = 0; col < g.width; col++) {
        if (bits & (1 << col)) fillRect(image, pen + col * scale, y + row * scale, scale, scale, color);
      }
    });
    pen += (g.width + FONT_LETTER_SPACING) * scale;
  }
  return textWidth(text, scale);
}

export type Align = 'left' | 'center' | 'right';

/** drawText with `x` as the left edge, the centre or the right edge of the text. */
export function drawTextAligned(
  image: RgbaImage, x: number, y: number, text: string, color: Rgb, align: Align, scale = 1,
): number {
  const w = textWidth(text, scale);
  const left = align === 'left' ? x : align === 'center' ? x - Math.floor(w / 2) : x - w;
  return drawText(image, left, y, text, color, scale);
}

/** `text`, cut and ended with ".." when wider than maxWidth, so a long custom label cannot spill into a neighbour. */
export function fitText(text: string, maxWidth: number, scale = 1): string {
  if (textWidth(text, scale) <= maxWidth) return text;
  for (let n = text.length - 1; n > 0; n--) {
    const cut = text.slice(0, n).trimEnd() + '..';
    if (textWidth(cut, scale) <= maxWidth) return cut;
  }
  return '';
}

// ----------------------------------------------------------------------------------------- colour maps

type Stop = readonly [number, Rgb];

function interpolate(stops: readonly Stop[], t: number): Rgb {
  if (Number.isNaN(t)) return [128, 128, 128];
  if (t <= stops[0][0]) return stops[0][1];
  for (let i = 1; i < stops.length; i++) {
    const [t1, c1] = stops[i];
    if (t <= t1) {
      const [t0, c0] = stops[i - 1];
      const f = (t - t0) / (t1 - t0);
      const mix = (k: number) => Math.round(c0[k] + (c1[k] - c0[k]) * f);
      return [mix(0), mix(1), mix(2)];
    }
  }
  return stops[stops.length - 1][1];
}

// ColorBrewer RdBu (reversed) with a pure-white centre, so an exactly-zero weight reads as "nothing".
const DIVERGING: readonly Stop[] = [
  [-1, [33, 102, 172]],
  [-0.5, [103, 169, 207]],
  [0, [255, 255, 255]],
  [0.5, [239, 138, 98]],
  [1, [178, 24, 43]],
];

// ColorBrewer Blues: light enough at 0 to carry dark text, dark enough at 1 to carry white text.
const SEQUENTIAL: readonly Stop[] = [
  [0, [247, 251, 255]],
  [0.25, [198, 219, 239]],
  [0.5, [107, 174, 214]],
  [0.75, [33, 113, 181]],
  [1, [8, 48, 107]],
];

/** Blue (t = -1) through white (0) to red (+1); t is clamped to [-1, 1]. */
export function divergingColor(t: number): Rgb {
  return interpolate(DIVERGING, t);
}

/** Near-white (t = 0) to dark blue (1); t is clamped to [0, 1]. */
export function sequentialColor(t: number): Rgb {
  return interpolate(SEQUENTIAL, t);
}

/** Relative luminance in [0, 1] (Rec. 709 weights on the sRGB values: good enough to pick a text colour). */
export function luminance(color: Rgb): number {
  return (0.2126 * color[0] + 0.7152 * color[1] + 0.0722 * color[2]) / 255;
}

/** Black or white text, whichever reads better on `background`. */
export function textColorOn(background: Rgb): Rgb {
  return luminance(background) > 0.55 ? INK : WHITE;
}
