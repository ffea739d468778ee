/**
 * The classify panel: a drawing pad (or a dropped image, or a random test image) and the ten class
 * probabilities the current model gives it, recomputed on the GPU after every stroke (by the GPU engine in
 * its Worker: the page sends the 784 pixels and gets the probabilities back).
 */
import { CLASS_NAMES } from '../data/labels.js';
import type { ModelSpec } from '../model/model.js';
import type { Parameters } from '../model/tensors.js';
import { IMAGE_PIXELS } from '../report/classes.js';
import type { RgbaImage } from '../report/raster.js';
import type { ImageSplit } from '../gpu/split.js';
import type { GpuClient } from './gpu_client.js';
import { $, context2d, drawPersistently, errorText, percent, showPixelated } from './dom.js';
import { DrawingPad, imageToPixels } from './pad.js';

/** The pad's hint: a finger, a pen or a mouse draws on it. */
const PAD_HINT = 'Draw on the square (light on dark, like the dataset), or drop an image on it.';

export class ClassifyPanel {
  private hasModel = false;
  private test: ImageSplit | null = null;
  private readonly pad: DrawingPad;
  private readonly status = $('#classify-status');
  private readonly bars = $<HTMLOListElement>('#bars');
  /** Bumped per model, so a late result from an older model never overwrites a newer one. */
  private generation = 0;

  constructor(private readonly engine: GpuClient) {
    this.pad = new DrawingPad($<HTMLCanvasElement>('#pad'), () => void this.update());
    // The pad at about 10 CSS pixels per dataset pixel, the template at about 7: whole device pixels each.
    showPixelated($<HTMLCanvasElement>('#pad'), 10);
    showPixelated($<HTMLCanvasElement>('#template'), 7);
    this.bars.replaceChildren(
      ...CLASS_NAMES.map((name) => {
        const li = document.createElement('li');
        li.innerHTML = '<span class="name"></span><span class="track"><span class="fill"></span></span><span class="pct">–</span>';
        li.querySelector('.name')!.textContent = name;
        return li;
      }),
    );
    $('#pad-clear').addEventListener('click', () => {
      $('#pad-hint').textContent = PAD_HINT;
      this.pad.clear();
    });
    $('#pad-sample').addEventListener('click', () => this.sample());
    const file = $<HTMLInputElement>('#pad-file');
    file.addEventListener('change', () => {
      if (file.files?.[0]) void this.loadImage(file.files[0]);
      file.value = '';
    });
    const canvas = $('#pad');
    canvas.addEventListener('dragover', (e) => {
      e.preventDefault();
      canvas.classList.add('over');
    });
    canvas.addEventListener('dragleave', () => canvas.classList.remove('over'));
    canvas.addEventListener('drop', (e) => {
      e.preventDefault();
      canvas.classList.remove('over');
      const dropped = e.dataTransfer?.files[0];
      if (dropped) void this.loadImage(dropped);
    });
  }

  /** The test split to draw random examples from. */
  setTestImages(test: ImageSplit): void {
    this.test = test;
    ($('#pad-sample') as HTMLButtonElement).disabled = false;
  }

  /** Makes `model` the one that classifies; null forgets the model. */
  async setModel(model: { spec: ModelSpec; params: Parameters } | null): Promise<void> {
    this.generation++;
    this.engine.setClassifier(model);
    this.hasModel = model !== null;
    if (!model) {
      this.status.textContent = 'Train or load a model to see its class probabilities.';
      this.showProbabilities(null);
      return;
    }
    await this.update();
  }

  private sample(): void {
    if (!this.test) return;
    const i = Math.floor(Math.random() * this.test.count);
    $('#pad-hint').textContent = `Test image ${i}: ${withArticle(CLASS_NAMES[this.test.labels[i]])}.`;
    this.pad.set(this.test.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS));
  }

  private async loadImage(file: File): Promise<void> {
    try {
      this.pad.set(await imageToPixels(file));
      $('#pad-hint').textContent = `${file.name}, fitted into 28x28 grey pixels.`;
    } catch (err) {
      $('#pad-hint').textContent = `${file.name}: not an image this browser can read (${errorText(err)})`;
    }
  }

  private async update(): Promise<void> {
    if (!this.hasModel) return;
    if (this.pad.isBlank()) {
      this.status.textContent = 'Draw something, drop an image, or pick a random test image.';
      this.showProbabilities(null);
      return;
    }
    const generation = this.generation;
    try {
      const { probabilities, template } = await this.engine.classify(this.pad.pixels.slice());
      if (generation !== this.generation) return; // a replaced model's answer: the new model's is on its way
      const best = probabilities.indexOf(Math.max(...probabilities));
      this.status.textContent = `Looks like ${withArticle(CLASS_NAMES[best])} (${percent(probabilities[best])}).`;
      this.showProbabilities(probabilities);
      this.showTemplate(best, template);
    } catch (err) {
      if (generation !== this.generation) return;
      this.status.textContent = `Could not classify: ${errorText(err)}`;
      this.showProbabilities(null); // no bars of an earlier image or model beside the error
    }
  }

  private showProbabilities(probabilities: Float32Array | null): void {
    const best = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
    if (!probabilities) this.showTemplate(-1, null);
    Array.from(this.bars.children).forEach((li, c) => {
      const p = probabilities ? probabilities[c] : 0;
      (li.querySelector('.fill') as HTMLElement).style.width = `${(100 * p).toFixed(1)}%`;
      li.querySelector('.pct')!.textContent = probabilities ? percent(p) : '–';
      li.classList.toggle('best', c === best);
      (li as HTMLElement).dataset.probability = String(p);
    });
  }

  /** The predicted class's weight template (the same tile as in the results' weight picture; drawn by the engine). */
  private showTemplate(c: number, tile: RgbaImage | null): void {
    const figure = $('#template-figure');
    figure.hidden = !tile;
    if (!tile) return;
    const canvas = $<HTMLCanvasElement>('#template');
    const pixels = new ImageData(new Uint8ClampedArray(tile.data), tile.width, tile.height);
    drawPersistently(canvas, () => context2d(canvas).putImageData(pixels, 0, 0));
    $('#template-caption').textContent = `What raises the score of ${CLASS_NAMES[c]} (red) and lowers it (blue): its column of W.`;
  }
}

/** "a Coat", "an Ankle boot": the article a class name takes (every class name starts with its sound's letter). */
export function withArticle(name: string): string {
  return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
}

