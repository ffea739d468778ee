/**
 * The results panel: test loss and accuracy of the current model and the CLI's pictures of it (prediction
 * sheet, confusion matrix, weight templates), drawn with the same report modules onto 2D canvases.
 */
import { confusionMatrix, confusionPicture } from '../report/confusion.js';
import { sheetFromEvaluation } from '../report/from_training.js';
import { templatesPicture } from '../report/weights.js';
import type { ModelSpec } from '../model/model.js';
import { modelDefinition } from '../model/registry.js';
import type { Parameters } from '../model/tensors.js';
import type { Evaluation } from '../train/evaluate.js';
import type { ImageSplit } from '../gpu/split.js';
import { $, formatCount, percent, showImage } from './dom.js';

/** Width of one prediction-sheet tile at the sheet's default scale (SHEET_DEFAULTS: 12 columns in 1164 px). */
const SHEET_TILE_WIDTH = 97;

export interface ResultsSource {
  /** Shown under the headline, e.g. "scratch model, 1 epoch on 5,000 samples" or the checkpoint's name. */
  description: string;
}

/**
 * Columns of the prediction sheet that fit the panel at the whole-number scale showImage draws it at (its text
 * is 1-pixel, so it is never scaled down); at least 3, which then scroll in their frame on the narrowest screens.
 */
function sheetColumns(): number {
  const width = $('#results-panel').clientWidth - 40;
  const dpr = window.devicePixelRatio || 1;
  const tile = (SHEET_TILE_WIDTH * Math.max(1, Math.round(dpr))) / dpr;
  return Math.max(3, Math.min(12, Math.floor(width / tile)));
}

export function showResults(test: ImageSplit, evaluation: Evaluation, model: { spec: ModelSpec; params: Parameters }, source: ResultsSource): void {
  const headline = $('#headline');
  headline.dataset.state = 'ready';
  headline.dataset.accuracy = String(evaluation.accuracy);
  headline.dataset.loss = String(evaluation.loss);
  headline.dataset.samples = String(evaluation.samples);
  headline.replaceChildren();
  const stat = (value: string, label: string, id: string) => {
    const div = document.createElement('div');
    div.className = 'stat';
    div.id = id;
    div.innerHTML = '<span class="value"></span><span class="label"></span>';
    div.querySelector('.value')!.textContent = value;
    div.querySelector('.label')!.textContent = label;
    headline.append(div);
  };
  stat(percent(evaluation.accuracy), 'test accuracy', 'test-accuracy');
  stat(evaluation.loss.toFixed(4), 'test loss', 'test-loss');
  const wrong = evaluation.samples - Math.round(evaluation.accuracy * evaluation.samples);
  stat(formatCount(wrong), `wrong of ${formatCount(evaluation.samples)}`, 'test-wrong');
  const what = document.createElement('p');
  what.className = 'source';
  what.textContent = source.description;
  headline.append(what);

  const columns = sheetColumns();
  const shown = Math.min(columns * 3, test.count);
  let shownWrong = 0;
  for (let i = 0; i < shown; i++) if (evaluation.predictions[i] !== test.labels[i]) shownWrong++;
  const sheet = $<HTMLCanvasElement>('#sheet');
  showImage(sheet, sheetFromEvaluation(test, evaluation, { columns, count: shown }));
  sheet.setAttribute('aria-label', `Predictions for the first ${shown} test images: ${shownWrong} wrong (red frames), ${shown - shownWrong} right (green frames), each with its predicted class and probability.`);
  const confusion = $<HTMLCanvasElement>('#confusion');
  showImage(confusion, confusionPicture(confusionMatrix(test.labels.subarray(0, test.count), evaluation.predictions, model.spec.classes)).image);
  confusion.setAttribute('aria-label', `Confusion matrix of the ${formatCount(evaluation.samples)} test images (true class by row, predicted by column): accuracy ${percent(evaluation.accuracy)}, ${formatCount(wrong)} off the diagonal.`);
  const weights = $<HTMLCanvasElement>('#weights');
  const templates = modelDefinition(model.spec.kind).templates(model.spec, model.params);
  showImage(weights, templatesPicture(templates).image);
  weights.setAttribute('aria-label', `Weight templates of the ${model.spec.kind} model: per ${templates.captions === 'classes' ? 'class' : 'unit'}, the 28x28 input weights, red raising the score and blue lowering it.`);
  $('#sheet-figure').hidden = false;
  $('#figures').hidden = false;
}

/** A model that is loaded but not evaluated yet (no test set): its description replaces "No model yet". */
export function showPendingModel(description: string): void {
  const headline = $('#headline');
  headline.dataset.state = 'pending';
  const what = document.createElement('p');
  what.className = 'source';
  what.textContent = description;
  headline.replaceChildren(what);
}
