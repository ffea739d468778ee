/**
 * A 28x28 drawing pad: the canvas IS the model's input (28x28 pixels, shown enlarged with CSS), drawn with
 * a soft round brush in light-on-dark like Fashion-MNIST, so what you see is exactly what is classified.
 */
import { IMAGE_PIXELS, IMAGE_SIDE } from '../report/classes.js';
import { context2d, drawPersistently } from './dom.js';

const BRUSH_RADIUS = 1.6; // in dataset pixels: strokes about as thick as a garment's outline

export class DrawingPad {
  readonly pixels = new Uint8Array(IMAGE_PIXELS); // [28 * 28] u8, 255 = ink
  private last: [number, number] | null = null;
  private readonly ctx: CanvasRenderingContext2D;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    /** Called after each finished stroke and after set()/clear(). */
    private readonly onChange: (pixels: Uint8Array) => void,
  ) {
    this.ctx = context2d(canvas);
    canvas.width = IMAGE_SIDE;
    canvas.height = IMAGE_SIDE;
    canvas.addEventListener('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.last = null;
      this.stroke(e);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (e.buttons & 1) this.stroke(e);
    });
    const end = () => {
      if (this.last) this.onChange(this.pixels);
      this.last = null;
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    drawPersistently(canvas, () => this.render());
  }

  private toGrid(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * IMAGE_SIDE, ((e.clientY - r.top) / r.height) * IMAGE_SIDE];
  }

  /** Paints the brush along the segment from the last point, so fast strokes stay continuous. */
  private stroke(e: PointerEvent): void {
    const to = this.toGrid(e);
    const from = this.last ?? to;
    const steps = Math.max(1, Math.ceil(Math.hypot(to[0] - from[0], to[1] - from[1]) * 3));
    for (let s = 0; s <= steps; s++) this.dab(from[0] + ((to[0] - from[0]) * s) / steps, from[1] + ((to[1] - from[1]) * s) / steps);
    this.last = to;
    this.render();
  }

  private dab(cx: number, cy: number): void {
    for (let y = Math.floor(cy - BRUSH_RADIUS - 1); y <= cy + BRUSH_RADIUS + 1; y++) {
      for (let x = Math.floor(cx - BRUSH_RADIUS - 1); x <= cx + BRUSH_RADIUS + 1; x++) {
        if (x < 0 || y < 0 || x >= IMAGE_SIDE || y >= IMAGE_SIDE) continue;
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
        const ink = Math.round(255 * Math.min(1, Math.max(0, BRUSH_RADIUS + 0.5 - d)));
        const i = y * IMAGE_SIDE + x;
        if (ink > this.pixels[i]) this.pixels[i] = ink;
      }
    }
  }

  private render(): void {
    const image = this.ctx.createImageData(IMAGE_SIDE, IMAGE_SIDE);
    this.pixels.forEach((v, i) => image.data.set([v, v, v, 255], i * 4));
    this.ctx.putImageData(image, 0, 0);
  }

  set(pixels: Uint8Array): void {
    this.pixels.set(pixels);
    this.render();
    this.onChange(this.pixels);
  }

  clear(): void {
    this.pixels.fill(0);
    this.render();
    this.onChange(this.pixels);
  }

  isBlank(): boolean {
    return this.pixels.every((v) => v === 0);
  }
}

/**
 * An image file as a Fashion-MNIST input: fitted into 28x28 keeping its aspect ratio, made grey, and
 * inverted when its border is light (a photo on a white background), since the dataset is light on black.
 */
export async function imageToPixels(file: Blob): Promise<Uint8Array> {
  const bitmap = await createImageBitmap(file);
  const canvas = new OffscreenCanvas(IMAGE_SIDE, IMAGE_SIDE);
  const ctx = canvas.getContext('2d')!;
  const fit = Math.min(IMAGE_SIDE / bitmap.width, IMAGE_SIDE / bitmap.height);
  const w = bitmap.width * fit;
  const h = bitmap.height * fit;
  // Fill with the image's own corner colour first, so the letterbox matches its background.
  ctx.drawImage(bitmap, 0, 0, 1, 1, 0, 0, IMAGE_SIDE, IMAGE_SIDE);
  ctx.drawImage(bitmap, (IMAGE_SIDE - w) / 2, (IMAGE_SIDE - h) / 2, w, h);
  bitmap.close();
  const { data } = ctx.getImageData(0, 0, IMAGE_SIDE, IMAGE_SIDE);
  const grey = new Uint8Array(IMAGE_PIXELS);
  for (let i = 0; i < IMAGE_PIXELS; i++) grey[i] = Math.round(0.299 * data[i * 4] + 0.587 * data[i * 4 + 1] + 0.114 * data[i * 4 + 2]);
  let border = 0;
  let n = 0;
  for (let k = 0; k < IMAGE_SIDE; k++) {
    for (const i of [k, (IMAGE_SIDE - 1) * IMAGE_SIDE + k, k * IMAGE_SIDE, k * IMAGE_SIDE + IMAGE_SIDE - 1]) {
      border += grey[i];
      n++;
    }
  }
  if (border / n > 127) for (let i = 0; i < IMAGE_PIXELS; i++) grey[i] = 255 - grey[i];
  return grey;
}
