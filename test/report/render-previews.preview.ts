/**
 * Renders every report picture to a folder for a person to look at. Not part of `npm test` (vitest.config.ts
 * includes *.preview.ts files only when REPORT_PREVIEW_DIR is set):
 *
 *   REPORT_PREVIEW_DIR=/tmp/report-preview npx vitest run test/report/render-previews.preview.ts
 *
 * With Fashion-MNIST in /usr/share/datasets/fashion-mnist (or FASHION_MNIST_DIR) the pictures show real
 * data and a model trained here on the CPU for a few epochs; without it, the synthetic data of the
 * other tests. Nothing is asserted beyond "it renders": the point is the eye.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, test } from 'vitest';
import { CLASS_NAMES } from '../../src/report/classes.js';
import { confusionMatrix, confusionPicture } from '../../src/report/confusion.js';
import { curvesPicture } from '../../src/report/curves.js';
import { fontCharacters } from '../../src/report/font.js';
import { writePng } from '../../src/report/png.js';
import { previewPicture } from '../../src/report/preview.js';
import { INK, createImage, drawText, lineHeight, textWidth } from '../../src/report/raster.js';
import { predictionSheet } from '../../src/report/sheet.js';
import { weightsPicture } from '../../src/report/weights.js';
import { Rng } from '../../src/random.js';
import { syntheticImages } from './synthetic.js';

const OUT = process.env.REPORT_PREVIEW_DIR;
const DATA = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const FEATURES = 784;
const CLASSES = 10;

interface Split {
  images: Uint8Array;
  labels: Uint8Array;
}

function readIdx(file: string, header: number): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(join(DATA, file))).subarray(header));
}

function loadSplit(prefix: string): Split {
  return { images: readIdx(`${prefix}-images-idx3-ubyte.gz`, 16), labels: readIdx(`${prefix}-labels-idx1-ubyte.gz`, 8) };
}

function syntheticSplit(n: number, seed: number): Split {
  const labels = Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) % CLASSES);
  return { images: syntheticImages(labels, seed), labels };
}

/** Softmax probabilities of one image into `out`. */
function forward(w: Float32Array, b: Float32Array, images: Uint8Array, i: number, out: Float64Array): void {
  out.set(b);
  for (let k = 0; k < FEATURES; k++) {
    const x = images[i * FEATURES + k] / 255;
    if (x === 0) continue;
    for (let c = 0; c < CLASSES; c++) out[c] += x * w[k * CLASSES + c];
  }
  const max = Math.max(...out);
  let sum = 0;
  for (let c = 0; c < CLASSES; c++) sum += out[c] = Math.exp(out[c] - max);
  for (let c = 0; c < CLASSES; c++) out[c] /= sum;
}

function argmax(p: Float64Array): number {
  let best = 0;
  for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
  return best;
}

function accuracy(w: Float32Array, b: Float32Array, split: Split): number {
  const p = new Float64Array(CLASSES);
  let right = 0;
  for (let i = 0; i < split.labels.length; i++) {
    forward(w, b, split.images, i, p);
    if (argmax(p) === split.labels[i]) right++;
  }
  return right / split.labels.length;
}

/** Plain minibatch SGD on the cross-entropy, enough to give the pictures realistic content. */
function train(train: Split, test: Split, epochs: number) {
  const rng = new Rng(1);
  const w = Float32Array.from({ length: FEATURES * CLASSES }, () => rng.normal(0, 0.01));
  const b = new Float32Array(CLASSES);
  const history = { trainLoss: [] as number[], trainAcc: [] as number[], testAcc: [] as number[] };
  const n = train.labels.length;
  const batch = 256;
  const lr = 0.1;
  const p = new Float64Array(CLASSES);
  const gw = new Float64Array(FEATURES * CLASSES);
  const gb = new Float64Array(CLASSES);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    let loss = 0;
    let right = 0;
    for (let start = 0; start < n; start += batch) {
      gw.fill(0);
      gb.fill(0);
      const rows = order.slice(start, start + batch);
      for (const i of rows) {
        forward(w, b, train.images, i, p);
        loss -= Math.log(Math.max(p[train.labels[i]], 1e-12));
        if (argmax(p) === train.labels[i]) right++;
        p[train.labels[i]] -= 1;
        for (let c = 0; c < CLASSES; c++) gb[c] += p[c];
        for (let k = 0; k < FEATURES; k++) {
          const x = train.images[i * FEATURES + k] / 255;
          if (x !== 0) for (let c = 0; c < CLASSES; c++) gw[k * CLASSES + c] += x * p[c];
        }
      }
      for (let k = 0; k < gw.length; k++) w[k] -= (lr * gw[k]) / rows.length;
      for (let c = 0; c < CLASSES; c++) b[c] -= (lr * gb[c]) / rows.length;
    }
    history.trainLoss.push(loss / n);
    history.trainAcc.push(right / n);
    history.testAcc.push(accuracy(w, b, test));
  }
  return { w, b, history };
}

function predict(w: Float32Array, b: Float32Array, split: Split) {
  const p = new Float64Array(CLASSES);
  const predictions = new Uint8Array(split.labels.length);
  const probabilities = new Float32Array(split.labels.length);
  for (let i = 0; i < split.labels.length; i++) {
    forward(w, b, split.images, i, p);
    predictions[i] = argmax(p);
    probabilities[i] = p[predictions[i]];
  }
  return { predictions, probabilities };
}

async function fontSpecimen(): Promise<void> {
  const chars = fontCharacters().join('');
  const lines = [chars.slice(0, 48), chars.slice(48), ...CLASS_NAMES.map((n) => `${n} 0.97`), 'The quick brown fox jumps over the lazy dog.'];
  for (const scale of [1, 2]) {
    const width = 20 + Math.max(...lines.map((l) => textWidth(l, scale)));
    const image = createImage(width, 20 + lines.length * lineHeight(scale));
    lines.forEach((l, i) => drawText(image, 10, 10 + i * lineHeight(scale), l, INK, scale));
    await writePng(join(OUT as string, `font-x${scale}.png`), image);
  }
}

describe('render previews', () => {
  const real = existsSync(join(DATA, 'train-images-idx3-ubyte.gz'));
  const dir = OUT as string;

  test('all pictures', async () => {
    const trainSplit = real ? loadSplit('train') : syntheticSplit(2000, 1);
    const testSplit = real ? loadSplit('t10k') : syntheticSplit(500, 2);
    const { w, b, history } = train(trainSplit, testSplit, real ? 10 : 5);
    const { predictions, probabilities } = predict(w, b, testSplit);
    const sheetInput = { images: testSplit.images, labels: testSplit.labels, predictions, probabilities };
    await fontSpecimen();
    await writePng(join(dir, 'sheet.png'), predictionSheet(sheetInput).image);
    await writePng(join(dir, 'sheet-wrong.png'), predictionSheet({ ...sheetInput, onlyWrong: true }).image);
    await writePng(join(dir, 'sheet-x2.png'), predictionSheet({ ...sheetInput, scale: 2, count: 20, columns: 10 }).image);
    await writePng(join(dir, 'sheet-x6.png'), predictionSheet({ ...sheetInput, scale: 6, count: 8, columns: 4 }).image);
    await writePng(join(dir, 'curves.png'), curvesPicture(history).image);
    await writePng(join(dir, 'confusion.png'), confusionPicture(confusionMatrix(testSplit.labels, predictions)).image);
    await writePng(join(dir, 'weights.png'), weightsPicture({ weights: w }).image);
    await writePng(join(dir, 'preview.png'), previewPicture({ images: trainSplit.images, labels: trainSplit.labels }).image);
  }, 600_000);
});
