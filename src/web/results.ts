/**
 * The results panel: test loss and accuracy of the current model and the CLI's pictures of it (prediction
 * sheet, confusion matrix with the accuracy per class, weight templates). The pictures are drawn by the same report
 * modules in the GPU engine's worker (pictures.ts); here their pixels go on 2D canvases.
 */
import { CLASS_NAMES } from '../data/labels.js';
import type { ModelSpec } from '../model/model.js';
import type { Parameters } from '../model/tensors.js';
import type { Evaluation } from '../train/evaluate.js';
import { $, formatCount, percent, showImage } from './dom.js';
import type { GpuClient } from './gpu_client.js';
import type { ResultPictures } from './pictures.js';

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

type Shown = { evaluation: Evaluation; model: { spec: ModelSpec; params: Parameters } };

/** The pictures of one model at a time: a newer showResults makes an older one's late pictures go unshown. */
export class ResultsPanel {
  private shown: Shown | null = null;
  private generation = 0;
  private readonly wrongOnly = $<HTMLInputElement>('#wrong-only');

  constructor(private readonly engine: GpuClient) {
    this.wrongOnly.addEventListener('change', () => void this.drawPictures());
  }

  /** The headline at once; the pictures when the engine has drawn them. */
  async show(evaluation: Evaluation, model: Shown['model'], source: ResultsSource): Promise<void> {
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
    this.shown = { evaluation, model };
    await this.drawPictures();
  }

  private async drawPictures(): Promise<void> {
    const shown = this.shown;
    if (!shown) return;
    const generation = ++this.generation;
    delete $('#results-panel').dataset.pictures;
    const { evaluation, model } = shown;
    const pictures = await this.engine.pictures({ model, evaluation, columns: sheetColumns(), wrongOnly: this.wrongOnly.checked });
    if (generation !== this.generation) return;
    // One canvas per task: each putImageData is a few ms, together they were a long task on a slow machine.
    const steps = [() => this.drawSheet(pictures), () => this.drawConfusion(pictures, evaluation), () => this.drawWeights(pictures, model.spec.kind)];
    for (const step of steps) {
      step();
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (generation !== this.generation) return;
    }
    $('#results-panel').dataset.pictures = 'drawn'; // for the tests: every picture of the latest model is on show
  }

  private drawSheet(p: ResultPictures): void {
    const sheet = $<HTMLCanvasElement>('#sheet');
    showImage(sheet, p.sheet);
    sheet.setAttribute(
      'aria-label',
      this.wrongOnly.checked
        ? `The first ${p.sheetShown} wrongly predicted test images (red frames), each with its predicted class and probability.`
        : `Predictions for the first ${p.sheetShown} test images: ${p.sheetWrong} wrong (red frames), ${p.sheetShown - p.sheetWrong} right (green frames), each with its predicted class and probability.`,
    );
    $('#sheet-figure').hidden = false;
    $('#sheet-options').hidden = false;
  }

  private drawConfusion(p: ResultPictures, evaluation: Evaluation): void {
    const confusion = $<HTMLCanvasElement>('#confusion');
    showImage(confusion, p.confusion, { fit: true });
    const wrong = evaluation.samples - Math.round(evaluation.accuracy * evaluation.samples);
    confusion.setAttribute('aria-label', `Confusion matrix of the ${formatCount(evaluation.samples)} test images (true class by row, predicted by column): accuracy ${percent(evaluation.accuracy)}, ${formatCount(wrong)} off the diagonal.`);
    $('#class-accuracy tbody').replaceChildren(
      ...p.classAccuracy.map((accuracy, c) => {
        const tr = document.createElement('tr');
        tr.insertCell().textContent = CLASS_NAMES[c] ?? `class ${c}`;
        const cell = tr.insertCell();
        cell.textContent = Number.isNaN(accuracy) ? '–' : percent(accuracy);
        // A bar behind the figure: the weak classes stand out without reading every number.
        cell.style.setProperty('--accuracy', Number.isNaN(accuracy) ? '0' : String(accuracy));
        return tr;
      }),
    );
    $('#figures').hidden = false;
  }

  private drawWeights(p: ResultPictures, kind: string): void {
    const weights = $<HTMLCanvasElement>('#weights');
    showImage(weights, p.weights, { fit: true });
    weights.setAttribute('aria-label', `Weight templates of the ${kind} model: per ${p.weightsPer}, the 28x28 input weights, red raising the score and blue lowering it.`);
  }
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
