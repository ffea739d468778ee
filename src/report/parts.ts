/**
 * Pieces several pictures share: text size per image scale, the title block, tick values and the
 * colour scale bar. Built only from raster.ts primitives; browser-safe.
 */
import {
  INK, MUTED, type RgbaImage, type Rgb, capHeight, drawText, drawTextAligned, fillRect, lineHeight, strokeRect,
  textWidth,
} from './raster.js';

/**
 * Text scale for pictures of `imageScale`: 1 up to scale 5 (a 5x7 font is readable beside 84-140 px
 * tiles), then growing so labels keep their proportion to the images.
 */
export function textScaleFor(imageScale: number): number {
  return Math.max(1, Math.floor(imageScale / 3));
}

/** Outer margin around every picture, in pixels at text scale `u`. */
export function marginFor(u: number): number {
  return 10 * u;
}

/** Height taken by a title block of `lines` lines (0 lines take nothing). */
export function titleHeight(lines: number, u: number): number {
  return lines === 0 ? 0 : lines * lineHeight(u) + 6 * u;
}

/** Title in body ink, further lines muted, left-aligned at (x, y). */
export function drawTitle(image: RgbaImage, x: number, y: number, lines: readonly string[], u: number): void {
  lines.forEach((text, i) => drawText(image, x, y + i * lineHeight(u), text, i === 0 ? INK : MUTED, u));
}

// --------------------------------------------------------------------------------------------- ticks

export interface Ticks {
  values: number[];
  step: number;
}

/** The 1-2-5 step giving about `target` intervals over `span`. */
function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  // The tolerance keeps 0.9 - 0.3 = 0.6000000000000001 from tipping a step of 0.1 over to 0.2.
  const mantissa = raw / magnitude - 1e-9;
  const nice = mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 5 ? 5 : 10;
  return nice * magnitude;
}

/** Round tick values inside [lo, hi], about `target` intervals apart. */
export function niceTicks(lo: number, hi: number, target = 5): Ticks {
  if (!(hi > lo)) return { values: [lo], step: 1 };
  const step = niceStep(hi - lo, target);
  const values: number[] = [];
  // Work in integer multiples of the step so 0.1 + 0.2 style drift cannot add or drop a tick.
  // toPrecision strips the last-bit noise of k * step (0.6000000000000001), "+ 0" turns -0 into 0.
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) values.push(Number((k * step).toPrecision(12)) + 0);
  return { values, step };
}

/** [lo, hi] widened outwards to whole steps, so the axis starts and ends on a labelled tick. */
export function niceDomain(lo: number, hi: number, target = 5): { lo: number; hi: number; ticks: Ticks } {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    return niceDomain(lo - pad, hi + pad, target);
  }
  const step = niceStep(hi - lo, target);
  const nlo = Math.floor(lo / step + 1e-9) * step;
  const nhi = Math.ceil(hi / step - 1e-9) * step;
  return { lo: nlo, hi: nhi, ticks: niceTicks(nlo, nhi, target) };
}

/** A tick value with just the decimals its step needs ("0.35", "4", never "0.30000000000000004" or "-0"). */
export function formatTick(value: number, step: number): string {
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
  const text = value.toFixed(decimals);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

// --------------------------------------------------------------------------------------- colour bar

export interface ColorBarSpec {
  x: number;
  y: number;
  height: number;
  min: number;
  max: number;
  colorOf: (value: number) => Rgb;
  /** Values to label; each is drawn at its height with a tick mark. */
  ticks: Ticks;
  u: number;
}

function colorBarBarWidth(u: number): number {
  return 12 * u;
}

function tickLabels(ticks: Ticks): string[] {
  return ticks.values.map((v) => formatTick(v, ticks.step));
}

/** Width a colour bar with these ticks takes, labels included. */
export function colorBarWidth(ticks: Ticks, u: number): number {
  const labels = tickLabels(ticks);
  return colorBarBarWidth(u) + 6 * u + Math.max(0, ...labels.map((t) => textWidth(t, u)));
}

/** Vertical bar, `max` at the top, with tick marks and labels on its right. */
export function drawColorBar(image: RgbaImage, spec: ColorBarSpec): void {
  const { x, y, height, min, max, colorOf, ticks, u } = spec;
  const w = colorBarBarWidth(u);
  const rowOf = (v: number) => y + Math.round((1 - (v - min) / (max - min)) * (height - 1));
  for (let row = 0; row < height; row++) {
    fillRect(image, x, y + row, w, 1, colorOf(max - ((max - min) * row) / Math.max(1, height - 1)));
  }
  strokeRect(image, x, y, w, height, MUTED, 1);
  const labels = tickLabels(ticks);
  ticks.values.forEach((v, i) => {
    const row = rowOf(v);
    fillRect(image, x + w, row, 3 * u, 1 * u, MUTED);
    drawTextAligned(image, x + w + 6 * u, row - Math.floor(capHeight(u) / 2), labels[i], INK, 'left', u);
  });
}
