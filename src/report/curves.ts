/**
 * Training curves (d2l Animator style): train loss, train accuracy and test accuracy per epoch on one
 * pair of axes, with grid, ticks, tick labels, axis titles and a legend beside the plot (outside it,
 * so the legend can never hide a curve).
 */
import { drawTitle, formatTick, marginFor, niceDomain, niceTicks, titleHeight, type Ticks } from './parts.js';
import {
  INK, MUTED, type Point, type RgbaImage, type Rgb, type StrokeStyle, capHeight, createImage, drawText, drawTextAligned,
  fillRect, fitText, lineHeight, polyline, strokeRect, textWidth,
} from './raster.js';

/** Per-epoch figures for `curvesPicture`. */
export interface CurvesInput {
  /** Mean training loss of each epoch (epoch 1 first). */
  trainLoss: readonly number[];
  /** Training accuracy of each epoch, 0..1. */
  trainAcc: readonly number[];
  /** Test accuracy after each epoch, 0..1. */
  testAcc: readonly number[];
  /** Multiplies every size, text included. */
  scale?: number | undefined;
  /** Picture size at scale 1. */
  width?: number | undefined;
  /** Picture height in pixels. */
  height?: number | undefined;
  /** The title line. */
  title?: string | undefined;
}

/** The plot's rectangle inside the picture, in pixels. */
export interface PlotArea {
  /** Left edge, in pixels. */
  x: number;
  /** Top edge, in pixels. */
  y: number;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/** Drawn training curves and where the plot is. */
export interface CurvesPicture {
  /** The curves as an RGBA image. */
  image: RgbaImage;
  /** The axes box; every curve lies inside it. */
  plot: PlotArea;
}

interface SeriesStyle {
  name: string;
  color: Rgb;
  dash?: readonly [number, number] | undefined;
}

/** Colours and dashes of the three curves (exported so tests can find each curve's pixels). */
export const CURVE_STYLES = {
  trainLoss: { name: 'train loss', color: [31, 119, 180] },
  trainAcc: { name: 'train acc', color: [197, 27, 125], dash: [7, 4] },
  testAcc: { name: 'test acc', color: [35, 139, 69] },
} as const satisfies Record<string, SeriesStyle>;

const GRID: Rgb = [232, 232, 232];

interface Series extends SeriesStyle {
  values: readonly number[];
}

interface Frame {
  plot: PlotArea;
  xLo: number;
  xHi: number;
  yLo: number;
  yHi: number;
  xTicks: Ticks;
  yTicks: Ticks;
}

function checkScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`curves: scale must be a positive integer, got ${scale}`);
}

function finiteRange(series: readonly Series[]): [number, number] {
  const all = series.flatMap((s) => s.values.filter(Number.isFinite));
  return all.length === 0 ? [0, 1] : [Math.min(...all), Math.max(...all)];
}

/** Integer epoch ticks: at most about 10 labels however many epochs there are. */
function epochTicks(epochs: number): Ticks {
  if (epochs <= 1) return { values: [1], step: 1 };
  const ticks = niceTicks(1, epochs, Math.min(epochs - 1, 10));
  return ticks.step >= 1 ? ticks : { values: Array.from({ length: epochs }, (_, i) => i + 1), step: 1 };
}

function legendWidth(series: readonly Series[], u: number): number {
  return 28 * u + Math.max(...series.map((s) => textWidth(s.name, u)));
}

function layoutFrame(series: readonly Series[], width: number, height: number, u: number): Frame {
  const epochs = Math.max(0, ...series.map((s) => s.values.length));
  const [lo, hi] = finiteRange(series);
  const y = niceDomain(lo, hi, 6);
  const yLabels = y.ticks.values.map((v) => formatTick(v, y.ticks.step));
  const m = marginFor(u);
  const left = m + Math.max(...yLabels.map((t) => textWidth(t, u))) + 8 * u;
  const top = m + titleHeight(1, u) + 4 * u;
  const right = width - m - legendWidth(series, u) - 14 * u;
  const bottom = height - m - 2 * lineHeight(u) - 6 * u;
  const [xLo, xHi] = epochs <= 1 ? [0, 2] : [1, epochs];
  return {
    plot: { x: left, y: top, width: right - left, height: bottom - top },
    xLo, xHi, yLo: y.lo, yHi: y.hi, xTicks: epochTicks(epochs), yTicks: y.ticks,
  };
}

function toPixel(f: Frame, epoch: number, value: number): Point {
  const { x, y, width, height } = f.plot;
  return [
    x + Math.round(((epoch - f.xLo) / (f.xHi - f.xLo)) * (width - 1)),
    y + Math.round((1 - (value - f.yLo) / (f.yHi - f.yLo)) * (height - 1)),
  ];
}

function drawGridAndTicks(image: RgbaImage, f: Frame, u: number): void {
  const { x, y, width, height } = f.plot;
  const tick = 4 * u;
  for (const v of f.yTicks.values) {
    const [, py] = toPixel(f, f.xLo, v);
    fillRect(image, x, py, width, 1, GRID);
    fillRect(image, x - tick, py, tick, u, MUTED);
    drawTextAligned(image, x - tick - 3 * u, py - Math.floor(capHeight(u) / 2), formatTick(v, f.yTicks.step), INK, 'right', u);
  }
  for (const e of f.xTicks.values) {
    const [px] = toPixel(f, e, f.yLo);
    fillRect(image, px, y, 1, height, GRID);
    fillRect(image, px, y + height, u, tick, MUTED);
    drawTextAligned(image, px, y + height + tick + 2 * u, formatTick(e, f.xTicks.step), INK, 'center', u);
  }
  strokeRect(image, x, y, width, height, MUTED, 1);
  drawTextAligned(image, x + Math.floor(width / 2), y + height + tick + 2 * u + lineHeight(u) + 2 * u, 'epoch', MUTED, 'center', u);
}

function strokeOf(s: SeriesStyle, u: number): StrokeStyle {
  return { width: 2 * u, dash: s.dash ? [s.dash[0] * u, s.dash[1] * u] : undefined };
}

/** Points of a series, split at non-finite values (a diverged epoch leaves a gap, not a wild line). */
function segments(f: Frame, values: readonly number[]): Point[][] {
  const runs: Point[][] = [[]];
  values.forEach((v, i) => {
    if (Number.isFinite(v)) runs[runs.length - 1].push(toPixel(f, i + 1, v));
    else if (runs[runs.length - 1].length > 0) runs.push([]);
  });
  return runs.filter((r) => r.length > 0);
}

function drawMarker(image: RgbaImage, [px, py]: Point, color: Rgb, u: number): void {
  const r = 2 * u;
  fillRect(image, px - r, py - r, 2 * r + 1, 2 * r + 1, color);
}

function drawSeries(image: RgbaImage, f: Frame, s: Series, u: number): void {
  // Markers only while points are far enough apart to read as points rather than a thick band.
  const spacing = f.plot.width / Math.max(1, s.values.length - 1);
  for (const run of segments(f, s.values)) {
    polyline(image, run, s.color, strokeOf(s, u));
    if (spacing >= 12 * u) for (const p of run) drawMarker(image, p, s.color, u);
  }
}

function drawLegend(image: RgbaImage, f: Frame, series: readonly Series[], u: number): void {
  const x = f.plot.x + f.plot.width + 14 * u;
  series.forEach((s, i) => {
    const top = f.plot.y + i * (lineHeight(u) + 6 * u);
    const mid = top + Math.floor(capHeight(u) / 2);
    polyline(image, [[x, mid], [x + 20 * u, mid]], s.color, strokeOf(s, u));
    drawMarker(image, [x + 10 * u, mid], s.color, u);
    drawText(image, x + 28 * u, top, s.name, INK, u);
  });
}

/** Draws train loss, train accuracy and test accuracy per epoch on one pair of axes. */
export function curvesPicture(input: CurvesInput): CurvesPicture {
  const u = input.scale ?? 1;
  checkScale(u);
  const width = (input.width ?? 720) * u;
  const height = (input.height ?? 420) * u;
  const series: Series[] = [
    { ...CURVE_STYLES.trainLoss, values: input.trainLoss },
    { ...CURVE_STYLES.trainAcc, values: input.trainAcc },
    { ...CURVE_STYLES.testAcc, values: input.testAcc },
  ];
  const f = layoutFrame(series, width, height, u);
  if (f.plot.width < 40 * u || f.plot.height < 40 * u) {
    throw new RangeError(`curves: ${width}x${height} leaves no room for the plot`);
  }
  const image = createImage(width, height);
  const epochs = Math.max(0, ...series.map((s) => s.values.length));
  const title = input.title ?? `Training curves (${epochs} epoch${epochs === 1 ? '' : 's'})`;
  drawTitle(image, marginFor(u), marginFor(u), [fitText(title, width - 2 * marginFor(u), u)], u);
  drawGridAndTicks(image, f, u);
  for (const s of series) drawSeries(image, f, s, u);
  drawLegend(image, f, series, u);
  return { image, plot: f.plot };
}
