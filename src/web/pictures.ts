/**
 * The results panel's pictures (prediction sheet, confusion matrix, weight templates) and the per-class accuracy,
 * made by the same report modules the CLI uses. They are built in the GPU engine's worker (engine.ts), which has the
 * test images: drawing them took the page's main thread 95-123 ms (issue 27). The page only puts their pixels on
 * canvases. No DOM here.
 */
import { confusionMatrix, confusionPicture } from '../report/confusion.js';
import { sheetFromEvaluation } from '../report/from_training.js';
import type { RgbaImage } from '../report/raster.js';
import { IMAGE_SIDE } from '../report/classes.js';
import { templatesPicture, type WeightsPicture } from '../report/weights.js';
import type { ImageSplit } from '../gpu/split.js';
import { modelDefinition } from '../model/registry.js';
import type { Evaluation } from '../train/evaluate.js';
import type { ModelParams } from './protocol.js';

/** What the page asks for: the model and its evaluation on the first `evaluation.samples` test images. */
export interface PicturesRequest {
  model: ModelParams;
  evaluation: Evaluation;
  /** Columns of the prediction sheet (what fits the panel); it shows three rows. */
  columns: number;
  /** Only the wrongly predicted images in the sheet. */
  wrongOnly: boolean;
}

export interface ResultPictures {
  sheet: RgbaImage;
  /** Images in the sheet, and how many of them are wrong. */
  sheetShown: number;
  sheetWrong: number;
  confusion: RgbaImage;
  /** Per true class: the fraction of its test images predicted right (NaN for a class with none). */
  classAccuracy: number[];
  weights: RgbaImage;
  /** Whether the weight templates are one per class or one per first-layer unit. */
  weightsPer: 'class' | 'unit';
}

export function resultPictures(test: ImageSplit, request: PicturesRequest): ResultPictures {
  const { evaluation, model, columns, wrongOnly } = request;
  const labels = test.labels.subarray(0, evaluation.samples);
  const classes = model.spec.classes;
  let wrong = 0;
  for (let i = 0; i < evaluation.samples; i++) if (evaluation.predictions[i] !== labels[i]) wrong++;
  const count = Math.min(columns * 3, wrongOnly ? wrong : evaluation.samples);
  let sheetWrong = count;
  if (!wrongOnly) {
    sheetWrong = 0;
    for (let i = 0; i < count; i++) if (evaluation.predictions[i] !== labels[i]) sheetWrong++;
  }
  const matrix = confusionMatrix(labels, evaluation.predictions, classes);
  const classAccuracy = Array.from({ length: classes }, (_, c) => {
    let row = 0;
    for (let p = 0; p < classes; p++) row += matrix[c * classes + p];
    return row === 0 ? NaN : matrix[c * classes + c] / row;
  });
  const templates = modelDefinition(model.spec.kind).templates(model.spec, model.params);
  return {
    // A sheet of nothing (no wrong prediction) is still a picture: one blank tile's worth, said so by its label.
    sheet: sheetFromEvaluation(test, evaluation, { columns, count: Math.max(1, count), onlyWrong: wrongOnly && wrong > 0 }),
    sheetShown: count,
    sheetWrong,
    confusion: confusionPicture(matrix).image,
    classAccuracy,
    weights: templatesPicture(templates).image,
    weightsPer: templates.captions === 'classes' ? 'class' : 'unit',
  };
}

/**
 * The classify panel's picture beside a prediction: the predicted class's weight template (the same tile as in the
 * results' weights picture, 1:1), for models with one template per class; null for the others.
 */
export class ClassTemplates {
  private readonly picture: WeightsPicture | null;

  constructor(model: ModelParams) {
    const templates = modelDefinition(model.spec.kind).templates(model.spec, model.params);
    this.picture = templates.captions === 'classes' ? templatesPicture(templates, { scale: 1 }) : null;
  }

  /** Class `c`'s tile, IMAGE_SIDE pixels square, or null. */
  tile(c: number): RgbaImage | null {
    const tile = this.picture?.tiles[c];
    if (!this.picture || !tile) return null;
    const { image } = this.picture;
    const out: RgbaImage = { width: IMAGE_SIDE, height: IMAGE_SIDE, data: new Uint8ClampedArray(IMAGE_SIDE * IMAGE_SIDE * 4) };
    for (let row = 0; row < IMAGE_SIDE; row++) {
      const from = ((tile.y + row) * image.width + tile.x) * 4;
      out.data.set(image.data.subarray(from, from + IMAGE_SIDE * 4), row * IMAGE_SIDE * 4);
    }
    return out;
  }
}

/** The pictures' pixel buffers, to transfer rather than copy them to the page. */
export function picturesTransfer(p: ResultPictures): ArrayBuffer[] {
  return [p.sheet, p.confusion, p.weights].map((image) => image.data.buffer as ArrayBuffer);
}
