/**
 * The train panel: runs the shared training loop (src/train/loop.ts) on the page's device and turns its
 * hooks into UI updates. The loop submits an epoch as ~10 chunks of GPU work and awaits each, so the page
 * stays responsive; Stop takes effect between epochs, as Ctrl-C does in the CLI.
 */
import { type FashionMnist, limitSplit } from '../data/dataset.js';
import type { Gpu } from '../gpu/device.js';
import type { Checkpoint } from '../model/checkpoint.js';
import { modelDefinition } from '../model/registry.js';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_SHAPE } from '../data/dataset.js';
import { evaluateParameters, type Evaluation } from '../train/evaluate.js';
import { train } from '../train/loop.js';
import type { TrainingChart } from './chart.js';
import { $, errorText, formatCount, setMessage } from './dom.js';
import { EpochTable } from './epoch_table.js';
import { applyLimits, MODEL_HINTS, readSettings, type Settings } from './settings.js';

export interface Trained {
  checkpoint: Checkpoint;
  test: Evaluation;
  settings: Settings;
  stopped: boolean;
}

export interface TrainPanelDeps {
  gpu(): Promise<Gpu>;
  /** Why there is no WebGPU device to train on, or null. */
  gpuProblem(): string | null;
  data(): FashionMnist | null;
  chart: TrainingChart;
  table: EpochTable;
  /** After each epoch, with the parameters so far (the classify panel follows training). */
  onEpochModel(checkpoint: Checkpoint): void;
  onTrained(result: Trained): void;
  onBusy(busy: boolean): void;
}

export class TrainPanel {
  private readonly form = $<HTMLFormElement>('#train-form');
  private readonly trainButton = $<HTMLButtonElement>('#train');
  private readonly stopButton = $<HTMLButtonElement>('#stop');
  private readonly status = $('#train-status');
  private readonly message = $('#train-message');
  private readonly bar = $('#progress-bar');
  private running = false;
  private stopRequested = false;

  constructor(private readonly deps: TrainPanelDeps) {
    applyLimits(this.form);
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.run();
    });
    this.form.addEventListener('input', () => this.validate());
    this.stopButton.addEventListener('click', () => {
      this.stopRequested = true;
      this.stopButton.disabled = true;
      this.status.textContent = 'Stopping after this epoch…';
    });
    this.validate();
  }

  /** Enables Train when there is data and the form is valid; says what is wrong otherwise. */
  validate(): Settings | null {
    const data = this.deps.data();
    const limit = this.form.elements.namedItem('limit') as HTMLInputElement;
    if (data) limit.max = String(data.train.count);
    const model = (this.form.elements.namedItem('model') as RadioNodeList).value as keyof typeof MODEL_HINTS;
    $('#model-hint').textContent = MODEL_HINTS[model];
    const parsed = readSettings(this.form, data?.train.count ?? 60000);
    if (!this.running) {
      const noGpu = this.deps.gpuProblem() !== null;
      this.trainButton.disabled = !data || !parsed.ok || noGpu;
      setMessage(this.message, parsed.ok ? null : parsed.problems.join('. ') + '.');
      // The status says what stands between the person and training; "Ready." only when nothing does.
      if (this.status.dataset.state === 'done' && parsed.ok && !noGpu) return parsed.settings;
      if (noGpu) this.status.textContent = 'No WebGPU in this browser, so no training here: the message at the top says why.';
      else if (!data) this.status.textContent = 'Load the dataset to start.';
      else if (!parsed.ok) this.status.textContent = 'Fix the settings above to train.';
      else this.status.textContent = 'Ready.';
    }
    return parsed.ok ? parsed.settings : null;
  }

  private setRunning(running: boolean): void {
    this.running = running;
    this.stopButton.disabled = !running;
    this.trainButton.disabled = running;
    this.form.querySelectorAll('input').forEach((el) => (el.disabled = running));
    $('#progress').hidden = !running && this.bar.style.width === '';
    this.deps.onBusy(running);
  }

  private async run(): Promise<void> {
    const data = this.deps.data();
    const settings = this.validate();
    if (!data || !settings || this.running) return;
    this.stopRequested = false;
    this.status.dataset.state = 'running';
    this.bar.style.width = '0%';
    this.setRunning(true);
    setMessage(this.message, null);
    const { chart, table } = this.deps;
    chart.reset(settings.epochs);
    table.clear();
    const started = performance.now();
    try {
      const gpu = await this.deps.gpu();
      const trainSplit = settings.samples < data.train.count ? limitSplit(data.train, settings.samples) : data.train;
      this.status.textContent = 'Evaluating the untrained model…';
      // Epoch 0: the loop starts from exactly these parameters (same seed), so the chart starts where training does.
      const definition = modelDefinition(settings.model);
      const spec = definition.spec(FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES, {});
      const start = await evaluateParameters(gpu, data.test, spec, definition.init(spec, settings.seed));
      chart.add({ epoch: 0, trainLoss: null, trainAcc: null, testLoss: start.loss, testAcc: start.accuracy });
      table.add({ epoch: 0, loss: NaN, trainAccuracy: NaN, testAccuracy: start.accuracy, seconds: 0 }, start.loss);
      let steps = '';
      const result = await train(
        gpu,
        { train: trainSplit, test: data.test },
        { spec, epochs: settings.epochs, lr: settings.lr, batchSize: settings.batchSize, seed: settings.seed, limit: settings.samples < data.train.count ? settings.samples : null },
        {
          onStart: (info) => {
            steps = `${info.summary}, ${info.stepsPerEpoch} steps of ${settings.batchSize}`;
            this.status.textContent = `Epoch 1 of ${settings.epochs}: ${steps}…`;
          },
          onProgress: (epoch, done, total) => {
            const percent = ((100 * (epoch - 1 + done / total)) / settings.epochs).toFixed(1);
            this.bar.style.width = `${percent}%`;
            $('#progress').setAttribute('aria-valuenow', percent);
            if (!this.stopRequested) this.status.textContent = `Epoch ${epoch} of ${settings.epochs}: step ${done} of ${total} (${steps})`;
          },
          onEpoch: (record, evaluation) => {
            chart.add({ epoch: record.epoch, trainLoss: record.loss, trainAcc: record.trainAccuracy, testLoss: evaluation.loss, testAcc: evaluation.accuracy });
            table.add(record, evaluation.loss);
          },
          checkpoint: (ck) => this.deps.onEpochModel(ck),
          shouldStop: () => this.stopRequested,
        },
      );
      const seconds = (performance.now() - started) / 1000;
      const epochs = result.history.length;
      this.status.dataset.state = 'done';
      this.status.textContent =
        `${result.stopped ? 'Stopped' : 'Done'}: ${epochs} epoch${epochs === 1 ? '' : 's'} on ${formatCount(trainSplit.count)} samples in ${seconds.toFixed(1)} s` +
        `${epochs > 0 ? `, test accuracy ${result.test.accuracy.toFixed(3)}` : ''}.`;
      if (epochs > 0) this.deps.onTrained({ checkpoint: result.checkpoint, test: result.test, settings, stopped: result.stopped });
    } catch (err) {
      this.status.dataset.state = 'failed';
      this.status.textContent = 'Training failed.';
      setMessage(this.message, errorText(err));
    } finally {
      this.setRunning(false);
    }
  }
}
