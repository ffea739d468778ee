/**
 * The learned weight templates of a model's first layer (the model says which: model.ts Templates). For softmax
 * regression, column c of W ([784, 10], row-major) is a 28x28 picture of what pushes the score of class c up
 * (red) or down (blue). All tiles share one colour scale, symmetric around zero, so tiles can be compared with
 * each other and white always means "this weight does not matter".
 */
import type { Templates } from '../model/model.js';
import { CLASS_NAMES, IMAGE_PIXELS, IMAGE_SIDE, className } from './classes.js';
import { drawCaption, tileGrid } from './grid.js';
import { colorBarWidth, drawColorBar, drawTitle, textScaleFor, type Ticks } from './parts.js';
import { INK, type RgbaImage, type Rgb, RULE, blitMapped, border, createImage, divergingColor, fitText, textWidth } from './raster.js';

export interface WeightsInput {
  /** W, [784, classes] f32 row-major: W[pixel * classes + c]. */
  weights: Float32Array;
  classes?: number | undefined;
  classNames?: readonly string[] | undefined;
  /** Integer upscale of each 28x28 template. */
  scale?: number | undefined;
  /** Templates per row. */
  columns?: number | undefined;
  title?: string | undefined;
}

/** Options of `templatesPicture`. */
export interface TemplatesOptions {
  /** Class names for the captions, index = label; default the ten of Fashion-MNIST. */
  classNames?: readonly string[] | undefined;
  /** Integer upscale of each template (default: 3 for 28-pixel templates, larger for small ones). */
  scale?: number | undefined;
  /** Templates per row. */
  columns?: number | undefined;
}

/** Where one template was drawn. */
export interface WeightsTile {
  /** The template drawn: its index (the class, for a per-class template). */
  classIndex: number;
  /** Top-left of the upscaled template. */
  x: number;
  /** Top edge of the upscaled template, in pixels. */
  y: number;
}

/** Drawn weight templates and where each landed. */
export interface WeightsPicture {
  /** The templates as an RGBA image. */
  image: RgbaImage;
  /** Where each template was drawn. */
  tiles: WeightsTile[];
  /** The shared scale: weights of +limit are full red, -limit full blue. */
  limit: number;
}

/**
 * Half-width of the shared colour scale: the 99th percentile of |w|, not the maximum, because a few
 * outlying weights would otherwise wash every template out to near-white; the rare larger weights
 * simply saturate. Falls back to the maximum (then 1) so an all-zero or tiny W still has a scale.
 */
export function weightLimit(weights: Float32Array): number {
  const magnitudes = Float32Array.from(weights, Math.abs).filter(Number.isFinite).sort();
  if (magnitudes.length === 0) return 1;
  const p99 = magnitudes[Math.floor(0.99 * (magnitudes.length - 1))];
  const max = magnitudes[magnitudes.length - 1];
  return p99 > 0 ? p99 : max > 0 ? max : 1;
}

/**
 * Ticks at -L, 0 and +L, L being the limit to two significant digits (as the title says it), so the bar's ends
 * are labelled and it reads as "symmetric around 0". Rounding L inwards to a 1-2-5 number instead left the ends
 * bare whenever the limit sat far above one (0.035 was labelled 0.02, just past the middle of each half).
 */
function symmetricTicks(limit: number): Ticks {
  const end = Number(limit.toPrecision(2));
  return { values: [-end, 0, end], step: 10 ** (Math.floor(Math.log10(end)) - 1) };
}

function checkInput(input: WeightsInput, classes: number): void {
  if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`weights: classes must be a positive integer, got ${classes}`);
  if (input.weights.length !== IMAGE_PIXELS * classes) {
    throw new RangeError(`weights: W has ${input.weights.length} values, expected ${IMAGE_PIXELS} x ${classes}`);
  }
}

/** Softmax regression's W: [784, classes] as ten 28x28 templates. */
export function weightsPicture(input: WeightsInput): WeightsPicture {
  const classes = input.classes ?? 10;
  checkInput(input, classes);
  const templates: Templates = {
    title: input.title ?? 'Weight templates: column c of W as a 28x28 image',
    data: input.weights, count: classes, height: IMAGE_SIDE, width: IMAGE_SIDE, stride: classes, offset: (c) => c, captions: 'classes',
  };
  return templatesPicture(templates, input);
}

/** Draws what a model's first layer learned (its `templates()`), on one colour scale symmetric around zero. */
export function templatesPicture(t: Templates, options: TemplatesOptions = {}): WeightsPicture {
  if (!Number.isInteger(t.count) || t.count < 1) throw new RangeError(`weights: need at least one template, got ${t.count}`);
  const scale = options.scale ?? Math.max(3, Math.round(84 / Math.max(t.height, t.width)));
  const u = textScaleFor(Math.min(scale, 3));
  const values = Float32Array.from({ length: t.count * t.height * t.width }, (_, j) => t.data[t.offset(Math.floor(j / (t.height * t.width))) + (j % (t.height * t.width)) * t.stride]);
  const limit = weightLimit(values);
  const names = t.captions === 'classes' ? Array.from({ length: t.count }, (_, c) => className(options.classNames ?? CLASS_NAMES, c)) : t.captions;
  const ticks = symmetricTicks(limit);
  const pushes = t.captions === 'classes' ? 'the class score' : 'the unit';
  const title = [t.title, `Red pushes ${pushes} up, blue down. One scale for all: full colour at |w| >= ${limit.toPrecision(2)}`];
  const tileWidth = t.width * scale;
  const tileHeight = t.height * scale;
  const grid = tileGrid({
    count: t.count,
    columns: options.columns ?? (t.count <= 10 ? 5 : 8),
    tileWidth,
    tileHeight,
    frame: 1,
    captionLines: 1,
    captionWidth: Math.max(...names.map((n) => textWidth(n, u))),
    u,
    titleLines: title.length,
    titleWidth: Math.max(...title.map((line) => textWidth(line, u))),
    extraRight: 16 * u + colorBarWidth(ticks, u),
  });
  const image = createImage(grid.width, grid.height);
  drawTitle(image, grid.margin, grid.margin, title.map((line) => fitText(line, grid.width - 2 * grid.margin, u)), u);
  const colorOf = (w: number): Rgb => divergingColor(w / limit);
  const tiles = names.map((name, c) => {
    const place = grid.place(c);
    blitMapped(image, place.x, place.y, values, t.width, t.height, scale, colorOf, c * t.height * t.width, 1);
    // A frame, because the near-zero background of a template is as white as the page.
    border(image, place.x, place.y, tileWidth, tileHeight, RULE, 1);
    drawCaption(image, grid, place, 0, name, INK, u);
    return { classIndex: c, x: place.x, y: place.y };
  });
  const barTop = grid.gridTop + 1;
  drawColorBar(image, {
    x: grid.gridRight + 16 * u, y: barTop, height: grid.height - grid.margin - barTop,
    min: -limit, max: limit, colorOf, ticks, u,
  });
  return { image, tiles, limit };
}
