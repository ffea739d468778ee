import { describe, expect, test } from 'vitest';
import { FONT_ASCENT, FONT_DESCENT, fontCharacters, glyph } from '../../src/report/font.js';
import { formatTick, niceDomain, niceTicks } from '../../src/report/parts.js';
import {
  BLACK, WHITE, blitGray, blitMapped, border, createImage, divergingColor, drawText, fillRect, fitText, getPixel, line,
  polyline, sequentialColor, strokeRect, textColorOn, textHeight, textWidth,
} from '../../src/report/raster.js';
import { countPixels, isColor, notWhite, rgbAt } from './helpers.js';

const RED = [255, 0, 0] as const;
const whole = (w: number, h: number) => ({ x: 0, y: 0, width: w, height: h });

describe('raster', () => {
  test('an image has the ImageData layout, starts white and opaque', () => {
    const image = createImage(3, 2);
    expect(image.data).toBeInstanceOf(Uint8ClampedArray);
    expect(image.data.length).toBe(3 * 2 * 4);
    expect(getPixel(image, 2, 1)).toEqual([255, 255, 255, 255]);
    expect(() => createImage(0, 5)).toThrow(RangeError);
  });

  test('fillRect clips to the image instead of wrapping into the next row', () => {
    const image = createImage(4, 4);
    fillRect(image, 2, -1, 10, 2, RED);
    expect(countPixels(image, whole(4, 4), isColor(RED))).toBe(2);
    expect(rgbAt(image, 3, 0)).toEqual(RED);
    expect(rgbAt(image, 0, 1)).toEqual(WHITE);
  });

  test('strokeRect draws inside its box, border outside its content box', () => {
    const a = createImage(10, 10);
    strokeRect(a, 2, 2, 5, 4, RED, 1);
    expect(countPixels(a, whole(10, 10), isColor(RED))).toBe(2 * 5 + 2 * 2);
    const b = createImage(10, 10);
    border(b, 3, 3, 4, 4, RED, 2);
    expect(countPixels(b, { x: 3, y: 3, width: 4, height: 4 }, isColor(RED))).toBe(0);
    expect(countPixels(b, whole(10, 10), isColor(RED))).toBe(8 * 8 - 4 * 4);
  });

  test('a line touches both end points; a dashed polyline leaves gaps', () => {
    const image = createImage(20, 20);
    line(image, [1, 2], [17, 9], RED);
    expect(rgbAt(image, 1, 2)).toEqual(RED);
    expect(rgbAt(image, 17, 9)).toEqual(RED);
    expect(countPixels(image, whole(20, 20), isColor(RED))).toBe(17);
    const dashed = createImage(40, 3);
    polyline(dashed, [[0, 1], [19, 1], [39, 1]], RED, { dash: [4, 4] });
    expect(countPixels(dashed, whole(40, 3), isColor(RED))).toBe(20);
  });

  test('blitGray copies each grey value to a scale x scale block with r = g = b', () => {
    const image = createImage(8, 8);
    blitGray(image, 1, 1, Uint8Array.of(9, 10, 11, 12, 13, 14, 15, 16), 2, 2, 3, 4);
    expect(rgbAt(image, 1, 1)).toEqual([13, 13, 13]);
    expect(rgbAt(image, 6, 6)).toEqual([16, 16, 16]);
    expect(rgbAt(image, 4, 3)).toEqual([14, 14, 14]);
    expect(rgbAt(image, 7, 7)).toEqual(WHITE);
    expect(() => blitGray(image, 0, 0, new Uint8Array(3), 2, 2, 1)).toThrow(/no 2x2 image/);
  });

  test('blitMapped reads with a stride, so a column of a row-major matrix draws in place', () => {
    const image = createImage(2, 2);
    const matrix = Float32Array.of(1, 0, 2, 0, 3, 0, 4, 0); // column 0 of a [4, 2] matrix is 1, 2, 3, 4
    blitMapped(image, 0, 0, matrix, 2, 2, 1, (v) => [v, 0, 0], 0, 2);
    expect([rgbAt(image, 0, 0)[0], rgbAt(image, 1, 0)[0], rgbAt(image, 0, 1)[0], rgbAt(image, 1, 1)[0]]).toEqual([1, 2, 3, 4]);
  });
});

describe('font and text', () => {
  test('every printable ASCII character 32..126 has its own glyph within the 5 x (7 + 2) box', () => {
    const chars = fontCharacters();
    for (let code = 32; code <= 126; code++) {
      const char = String.fromCharCode(code);
      expect(chars, `glyph for ${JSON.stringify(char)}`).toContain(char);
      const g = glyph(char);
      expect(g.width).toBeGreaterThan(0);
      expect(g.width).toBeLessThanOrEqual(5);
      expect(g.rows.length).toBeLessThanOrEqual(FONT_ASCENT + FONT_DESCENT);
      if (char !== ' ') expect(g.rows.some((r) => r !== 0), `ink in ${JSON.stringify(char)}`).toBe(true);
    }
  });

  test('glyphs are distinct, so no two characters read the same', () => {
    const seen = new Map<string, string>();
    for (const char of fontCharacters()) {
      const key = JSON.stringify(glyph(char));
      expect(seen.get(key), `${char} looks like ${seen.get(key)}`).toBeUndefined();
      seen.set(key, char);
    }
  });

  test('digits all have the same width, so numbers line up', () => {
    expect(new Set([...'0123456789'].map((d) => textWidth(d))).size).toBe(1);
  });

  test('drawText inks only inside [x, x + width) x [y, y + textHeight) and returns textWidth', () => {
    for (const scale of [1, 2, 3]) {
      const image = createImage(400, 60);
      const width = drawText(image, 5, 6, 'Ankle boot 0.97 gjpqy', BLACK, scale);
      expect(width).toBe(textWidth('Ankle boot 0.97 gjpqy', scale));
      const total = countPixels(image, whole(400, 60), notWhite);
      expect(total).toBeGreaterThan(50 * scale * scale);
      expect(countPixels(image, { x: 5, y: 6, width, height: textHeight(scale) }, notWhite)).toBe(total);
    }
  });

  test('unknown characters draw as "?" instead of disappearing', () => {
    expect(textWidth('\u00e9')).toBe(textWidth('?'));
  });

  test('fitText cuts long text with ".." to fit, and leaves short text alone', () => {
    expect(fitText('Sneaker', 100)).toBe('Sneaker');
    const cut = fitText('A rather long custom class name', 60);
    expect(cut.endsWith('..')).toBe(true);
    expect(textWidth(cut)).toBeLessThanOrEqual(60);
  });
});

describe('colour maps', () => {
  test('diverging: blue at -1, white at 0, red at +1, symmetric in lightness, clamped outside', () => {
    const [r0, g0, b0] = divergingColor(-1);
    const [r1, g1, b1] = divergingColor(1);
    expect(b0).toBeGreaterThan(r0 + 100);
    expect(r1).toBeGreaterThan(b1 + 100);
    expect(divergingColor(0)).toEqual(WHITE);
    expect(divergingColor(5)).toEqual(divergingColor(1));
    expect(divergingColor(-5)).toEqual(divergingColor(-1));
    expect(Math.abs(r0 + g0 + b0 - (r1 + g1 + b1))).toBeLessThan(80);
  });

  test('sequential: near-white at 0, darkening monotonically to dark blue at 1', () => {
    const sum = (t: number) => sequentialColor(t).reduce((a, b) => a + b, 0);
    expect(Math.min(...sequentialColor(0))).toBeGreaterThan(240);
    for (let t = 0; t < 1; t += 0.05) expect(sum(t + 0.05)).toBeLessThan(sum(t));
    expect(textColorOn(sequentialColor(1))).toEqual(WHITE);
    expect(textColorOn(sequentialColor(0))).not.toEqual(WHITE);
  });
});

describe('ticks', () => {
  test('1-2-5 steps, values on whole steps, no float noise', () => {
    expect(niceTicks(0, 1, 5).values).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 953, 5)).toEqual({ values: [0, 200, 400, 600, 800], step: 200 });
    expect(niceDomain(0.43, 0.87, 6)).toMatchObject({ lo: 0.4, hi: 0.9 });
    expect(niceTicks(0.3, 0.9, 6).values.map((v) => formatTick(v, 0.1))).toEqual(['0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9']);
  });

  test('formatTick shows the decimals the step needs and never "-0"', () => {
    expect(formatTick(-0.0000001, 0.5)).toBe('0.0');
    expect(formatTick(0.25, 0.05)).toBe('0.25');
    expect(formatTick(400, 200)).toBe('400');
  });
});
