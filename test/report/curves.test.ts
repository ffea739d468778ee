import { describe, expect, test } from 'vitest';
import { CURVE_STYLES, curvesPicture } from '../../src/report/curves.js';
import { type Rect, countPixels, isColor, notWhite, rgbAt, viaPng } from './helpers.js';

const history = {
  trainLoss: [0.79, 0.57, 0.52, 0.5, 0.48, 0.47, 0.46, 0.455, 0.45, 0.447],
  trainAcc: [0.75, 0.81, 0.826, 0.832, 0.836, 0.842, 0.843, 0.845, 0.847, 0.848],
  testAcc: [0.77, 0.78, 0.81, 0.81, 0.826, 0.82, 0.818, 0.826, 0.833, 0.832],
};
const styles = Object.values(CURVE_STYLES);

/** Topmost row holding `color` in the columns [x, x + width) of `rect`. */
function topmost(image: ReturnType<typeof viaPng>, rect: Rect, color: readonly [number, number, number]): number {
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    for (let x = rect.x; x < rect.x + rect.width; x++) if (isColor(color)(rgbAt(image, x, y))) return y;
  }
  return -1;
}

describe('training curves', () => {
  test('default size 720x420, doubled at scale 2, or as asked', () => {
    expect([curvesPicture(history).image.width, curvesPicture(history).image.height]).toEqual([720, 420]);
    const x2 = viaPng(curvesPicture({ ...history, scale: 2 }).image);
    expect([x2.width, x2.height]).toEqual([1440, 840]);
    const custom = curvesPicture({ ...history, width: 500, height: 300 }).image;
    expect([custom.width, custom.height]).toEqual([500, 300]);
  });

  test('every series colour is drawn inside the plot area, and only there or in the legend', () => {
    const { image, plot } = curvesPicture(history);
    const png = viaPng(image);
    for (const style of styles) {
      expect(countPixels(png, plot, isColor(style.color)), style.name).toBeGreaterThan(200);
      const leftOfPlot = { x: 0, y: 0, width: plot.x - 3, height: png.height };
      const belowPlot = { x: 0, y: plot.y + plot.height + 3, width: png.width, height: png.height - plot.y - plot.height - 3 };
      expect(countPixels(png, leftOfPlot, isColor(style.color)), `${style.name} left of the plot`).toBe(0);
      expect(countPixels(png, belowPlot, isColor(style.color)), `${style.name} below the plot`).toBe(0);
      const legend = { x: plot.x + plot.width + 1, y: 0, width: png.width - plot.x - plot.width - 1, height: png.height };
      expect(countPixels(png, legend, isColor(style.color)), `${style.name} in the legend`).toBeGreaterThan(20);
    }
  });

  test('larger values are drawn higher: falling loss, rising accuracy', () => {
    const { image, plot } = curvesPicture(history);
    const png = viaPng(image);
    const start = { x: plot.x, y: plot.y, width: 12, height: plot.height };
    const end = { x: plot.x + plot.width - 12, y: plot.y, width: 12, height: plot.height };
    const loss = CURVE_STYLES.trainLoss.color;
    const acc = CURVE_STYLES.testAcc.color;
    expect(topmost(png, start, loss)).toBeLessThan(topmost(png, end, loss));
    expect(topmost(png, start, acc)).toBeGreaterThan(topmost(png, end, acc));
  });

  test('axes: tick labels left of and below the plot, a title above it', () => {
    const { image, plot } = curvesPicture(history);
    const png = viaPng(image);
    expect(countPixels(png, { x: 0, y: plot.y, width: plot.x - 1, height: plot.height }, notWhite)).toBeGreaterThan(100);
    expect(countPixels(png, { x: plot.x, y: plot.y + plot.height + 1, width: plot.width, height: png.height - plot.y - plot.height - 1 }, notWhite)).toBeGreaterThan(100);
    expect(countPixels(png, { x: 0, y: 0, width: png.width, height: plot.y - 1 }, notWhite)).toBeGreaterThan(50);
  });

  test('odd histories still draw: one epoch, no epochs, a diverged (NaN) epoch, many epochs', () => {
    const one = curvesPicture({ trainLoss: [0.8], trainAcc: [0.7], testAcc: [0.72] });
    for (const style of styles) expect(countPixels(viaPng(one.image), one.plot, isColor(style.color)), style.name).toBeGreaterThan(0);
    expect(() => curvesPicture({ trainLoss: [], trainAcc: [], testAcc: [] })).not.toThrow();
    const nan = curvesPicture({ ...history, trainLoss: history.trainLoss.map((v, i) => (i === 4 ? Number.NaN : v)) });
    expect(countPixels(viaPng(nan.image), nan.plot, isColor(CURVE_STYLES.trainLoss.color))).toBeGreaterThan(100);
    const long = Array.from({ length: 200 }, (_, i) => 0.5 + 0.3 * Math.exp(-i / 30));
    expect(() => curvesPicture({ trainLoss: long, trainAcc: long, testAcc: long })).not.toThrow();
  });

  test('a picture too small for a plot is rejected', () => {
    expect(() => curvesPicture({ ...history, width: 120, height: 80 })).toThrow(/no room/);
  });
});
