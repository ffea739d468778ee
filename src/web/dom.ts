/** Small DOM helpers shared by the page's panels. */
import type { RgbaImage } from '../report/raster.js';

/** The element matching `selector`; a missing one is a bug in index.html, so it throws at once. */
export function $<T extends Element = HTMLElement>(selector: string, root: ParentNode = document): T {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`index.html has no element matching ${selector}`);
  return found;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function context2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  // willReadFrequently: the page only puts pixels here, which a CPU-side canvas does best.
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('this browser gave no 2D canvas context');
  return ctx;
}

/**
 * Calls `draw` now and again whenever Chrome restores the canvas's context: a GPU-process crash (the same
 * event that loses the WebGPU device) leaves every 2D canvas blank, and the page should still show what it had.
 */
const redrawers = new WeakMap<HTMLCanvasElement, () => void>();
export function drawPersistently(canvas: HTMLCanvasElement, draw: () => void): void {
  if (!redrawers.has(canvas)) canvas.addEventListener('contextrestored', () => redrawers.get(canvas)?.());
  redrawers.set(canvas, draw);
  draw();
}

/**
 * Pixel art at whole-number scales: each of the canvas's pixels covers k x k device pixels, k an integer >= 1
 * near `cssScale` x devicePixelRatio (1:1 on a 1x screen, 2x on a 2x screen, ...), never smeared by a
 * fractional scale and never below 1:1 (a picture wider than its frame scrolls in it instead). The CSS size
 * is k / devicePixelRatio per pixel, and follows the ratio when the page is zoomed or moved to another screen.
 */
const pixelArt = new Map<HTMLCanvasElement, { cssScale: number; fit: boolean }>();
export function showPixelated(canvas: HTMLCanvasElement, cssScale = 1, fit = false): void {
  pixelArt.set(canvas, { cssScale, fit });
  fitPixels(canvas, cssScale, fit);
}
/** The width inside an element's padding, in CSS pixels. */
function contentWidth(el: HTMLElement): number {
  const style = getComputedStyle(el);
  return el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
}
/**
 * `fit`: where the picture is wider than its parent at that scale, a smaller whole number (down to 1:1 device
 * pixels): on a 3x phone a 500-pixel picture then shows whole in 333 or 167 CSS pixels, its pixels still sharp.
 */
function fitPixels(canvas: HTMLCanvasElement, cssScale: number, fit: boolean): void {
  const dpr = window.devicePixelRatio || 1;
  let k = Math.max(1, Math.round(cssScale * dpr));
  const parent = canvas.parentElement;
  if (fit && parent && canvas.width > 0) k = Math.max(1, Math.min(k, Math.floor((contentWidth(parent) * dpr) / canvas.width)));
  canvas.style.width = `${(canvas.width * k) / dpr}px`;
  canvas.style.height = `${(canvas.height * k) / dpr}px`;
}
// Zooming or moving to another screen changes devicePixelRatio and fires resize. (No window: imported by a Node test.)
if (typeof window !== 'undefined') window.addEventListener('resize', () => pixelArt.forEach(({ cssScale, fit }, canvas) => fitPixels(canvas, cssScale, fit)));

/**
 * Draws a report picture (ImageData layout) on a 2D canvas, resizing the canvas to fit it, at a whole-number scale;
 * `fit`: the largest such scale at which it fits its parent's width (see fitPixels).
 */
export function showImage(canvas: HTMLCanvasElement, image: RgbaImage, options: { fit?: boolean } = {}): void {
  const pixels = new ImageData(new Uint8ClampedArray(image.data), image.width, image.height);
  drawPersistently(canvas, () => {
    canvas.width = image.width;
    canvas.height = image.height;
    context2d(canvas).putImageData(pixels, 0, 0);
  });
  showPixelated(canvas, 1, options.fit ?? false);
}

/** Shows `text` in a message element with a tone, or hides it for null. */
export function setMessage(element: HTMLElement, text: string | null, tone: 'error' | 'info' | 'ok' = 'error'): void {
  element.hidden = text === null;
  element.textContent = text ?? '';
  element.dataset.tone = tone;
}

export const formatCount = (n: number): string => n.toLocaleString('en-US');
export const percent = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;

/** Saves bytes as a download named `name`. */
export function download(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The click has started the download; revoking at once can cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
