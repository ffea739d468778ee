/**
 * The four pictures of a trained model, made from what training and evaluation already produced (GPU
 * predictions and probabilities, the parameters, the per-epoch history). Browser-safe: the CLI encodes the
 * results to PNG files, the web page draws them on canvases.
 */
import type { EpochRecord } from '../model/checkpoint.js';
import type { ModelSpec } from '../model/model.js';
import { modelDefinition } from '../model/registry.js';
import type { Parameters } from '../model/tensors.js';
import { Rng } from '../random.js';
import type { Evaluation } from '../train/evaluate.js';
import type { ImageSplit } from '../gpu/split.js';
import { confusionMatrix, confusionPicture } from './confusion.js';
import { curvesPicture } from './curves.js';
import type { RgbaImage } from './raster.js';
import { predictionSheet, SHEET_DEFAULTS } from './sheet.js';
import { templatesPicture } from './weights.js';

/** Which test images `sheetFromEvaluation` shows, and how large. */
export interface SheetOptions {
  /** Images to show at most. */
  count?: number | undefined;
  /** Images per row. */
  columns?: number | undefined;
  /** Integer upscale of each image. */
  scale?: number | undefined;
  /** Show only misclassified images. */
  onlyWrong?: boolean | undefined;
  /** Pick the images at random with this seed; without it, the first test images, as d2l shows them. */
  seed?: number | undefined;
}

/** Prediction sheet of test images with the GPU's predictions and the probability of each predicted class. */
export function sheetFromEvaluation(split: ImageSplit, evaluation: Evaluation, options: SheetOptions = {}): RgbaImage {
  const classes = evaluation.probabilities.length / evaluation.samples;
  const order = options.seed === undefined ? Uint32Array.from({ length: split.count }, (_, i) => i) : new Rng(options.seed).permutation(split.count);
  const pixels = split.images.length / split.count;
  const images = new Uint8Array(order.length * pixels);
  order.forEach((i, j) => images.set(split.images.subarray(i * pixels, (i + 1) * pixels), j * pixels));
  const predictions = Array.from(order, (i) => evaluation.predictions[i]);
  return predictionSheet({
    images,
    labels: Array.from(order, (i) => split.labels[i]),
    predictions,
    probabilities: Array.from(order, (i, j) => evaluation.probabilities[i * classes + predictions[j]]),
    count: options.count ?? SHEET_DEFAULTS.count,
    columns: options.columns ?? SHEET_DEFAULTS.columns,
    scale: options.scale ?? SHEET_DEFAULTS.scale,
    onlyWrong: options.onlyWrong,
  }).image;
}

/** Names of the four pictures (`train --out DIR` writes DIR/NAME.png for each). */
export const TRAINING_PICTURES = ['predictions', 'curves', 'confusion', 'weights'] as const;

/** The four pictures `train --out` writes. */
export type TrainingPictures = Record<(typeof TRAINING_PICTURES)[number], RgbaImage>;

/** The four pictures; `spec` and `params` are the model's (weights.png shows what its first layer learned). */
export function trainingPictures(split: ImageSplit, evaluation: Evaluation, spec: ModelSpec, params: Parameters, history: readonly EpochRecord[]): TrainingPictures {
  return {
    predictions: sheetFromEvaluation(split, evaluation),
    curves: curvesPicture({
      trainLoss: history.map((h) => h.loss),
      trainAcc: history.map((h) => h.trainAccuracy),
      testAcc: history.map((h) => h.testAccuracy ?? NaN),
    }).image,
    confusion: confusionPicture(confusionMatrix(split.labels.subarray(0, split.count), evaluation.predictions, spec.classes)).image,
    weights: templatesPicture(modelDefinition(spec.kind).templates(spec, params)).image,
  };
}
