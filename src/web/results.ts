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

/** Columns of the prediction sheet that fit the panel, so the sheet is never scaled (its text is 1-pixel). */
function sheetColumns(): number {
  const width = $('#results-panel').clientWidth - 40;
  return Math.max(4, Math.min(12, Math.floor(width / SHEET_TILE_WIDTH)));
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
  showImage($('#sheet'), sheetFromEvaluation(test, evaluation, { columns, count: columns * 3 }));
  showImage($('#confusion'), confusionPicture(confusionMatrix(test.labels.subarray(0, test.count), evaluation.predictions, model.spec.classes)).image);
  showImage($('#weights'), templatesPicture(modelDefinition(model.spec.kind).templates(model.spec, model.params)).image);
  $('#sheet-figure').hidden = false;
  $('#figures').hidden = false;
}
