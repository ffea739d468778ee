/**
 * The train panel: the form, Train and Stop, and the UI of a run. The run itself is the shared training loop
 * (src/train/loop.ts) in the GPU engine's Worker (engine.ts); its hooks arrive here as messages, so the main
 * thread only draws. Stop takes effect within a few steps, while training or evaluating, and keeps the last
 * completed epoch. A device lost mid-run is survived by the engine, which says so and goes on from the last
 * completed epoch on a new device.
 */
import type { FashionMnist } from '../data/dataset.js';
import type { Checkpoint } from '../model/checkpoint.js';
import type { Evaluation } from '../train/evaluate.js';
import type { TrainingChart } from './chart.js';
import { $, errorText, formatCount, setMessage } from './dom.js';
import { EpochTable } from './epoch_table.js';
import type { GpuClient } from './gpu_client.js';
import { modelDefinition } from '../model/registry.js';
import { applySettings, chosenSettings, MODEL_DEFAULTED, savedSettings, saveSettings } from './saved_settings.js';
import { applyLimits, buildModelControls, defaultLr, readModel, readSettings, type Settings, showOptions } from './settings.js';

export interface Trained {
  checkpoint: Checkpoint;
  test: Evaluation;
  settings: Settings;
  stopped: boolean;
}

export interface TrainPanelDeps {
  engine: GpuClient;
  /** Why there is no WebGPU device to train on, or null. */
  gpuProblem(): string | null;
  /** The device's maxStorageBufferBindingSize, once the engine has a device. */
  bindingLimit(): number | undefined;
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
  private readonly evalBar = $('#eval-progress-bar');
  private running = false;
  private stopRequested = false;
  /** The fields a person has typed into: a model change leaves them alone (the others take the model's defaults). */
  private readonly edited = new Set<string>();

  constructor(private readonly deps: TrainPanelDeps) {
    buildModelControls(this.form, $('#model-choices'), $('#epochs-field'));
    applyLimits(this.form);
    // Settings from the address or an earlier visit (saved_settings.ts); kept again at every change.
    for (const name of applySettings(this.form, savedSettings())) this.edited.add(name);
    this.form.addEventListener('input', (e) => {
      const name = (e.target as HTMLInputElement).name;
      if ((MODEL_DEFAULTED as readonly string[]).includes(name)) this.edited.add(name);
    });
    for (const type of ['input', 'change']) this.form.addEventListener(type, () => saveSettings(chosenSettings(this.form, this.edited)));
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.run();
    });
    this.form.addEventListener('input', () => this.validate());
    this.stopButton.addEventListener('click', () => {
      this.stopRequested = true;
      this.deps.engine.stop();
      this.disable(this.stopButton, this.trainButton);
      this.status.textContent = 'Stopping…';
    });
    this.validate();
  }

  /** Enables Train when there is data and the form is valid; says what is wrong otherwise. */
  validate(): Settings | null {
    const data = this.deps.data();
    const limit = this.form.elements.namedItem('limit') as HTMLInputElement;
    if (data) limit.max = String(data.train.count);
    this.showModel();
    const testLimit = this.form.elements.namedItem('testLimit') as HTMLInputElement;
    if (data) testLimit.max = String(data.test.count);
    const parsed = readSettings(this.form, data?.train.count ?? 60000, data?.test.count ?? 10000, this.deps.bindingLimit());
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

  /**
   * The chosen model's summary and option fields; its epochs and learning rate (`defaultLr(spec)` where it has
   * one, as the CLI picks them) in the fields nobody has typed into.
   */
  private showModel(): void {
    const kind = (this.form.elements.namedItem('model') as RadioNodeList).value;
    const definition = modelDefinition(kind);
    $('#model-hint').textContent = `${kind}: ${definition.summary}.`;
    showOptions(this.form, kind);
    if (this.running) return;
    const field = (name: string) => this.form.elements.namedItem(name) as HTMLInputElement;
    if (!this.edited.has('epochs')) field('epochs').value = String(definition.defaults.epochs);
    if (!this.edited.has('lr')) field('lr').value = String(defaultLr(definition, readModel(this.form, []).spec));
  }

  /**
   * Disables `button`; if it had the keyboard focus, the focus moves to `next` (or, when `next` is disabled too,
   * stays near: the form), not to the page's body where a keyboard user would have to start over.
   */
  private disable(button: HTMLButtonElement, next: HTMLButtonElement): void {
    const focused = document.activeElement === button;
    button.disabled = true;
    if (!focused) return;
    if (!next.disabled) next.focus();
    else this.pendingFocus = next;
  }

  private setRunning(running: boolean): void {
    this.running = running;
    this.form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select').forEach((el) => (el.disabled = running));
    if (running) {
      this.stopButton.disabled = false;
      this.disable(this.trainButton, this.stopButton);
    } else {
      this.trainButton.disabled = false;
      this.disable(this.stopButton, this.trainButton);
    }
    if (this.pendingFocus && !this.pendingFocus.disabled) {
      // Unless the person has moved on to something else meanwhile.
      if (document.activeElement === null || document.activeElement === document.body) this.pendingFocus.focus();
      this.pendingFocus = null;
    }
    $('#progress').hidden = !running && this.bar.style.width === '';
    if (!running) $('#eval-progress').hidden = true;
    this.deps.onBusy(running);
  }

  /** A button that had the focus when it was disabled, waiting for its successor to be enabled. */
  private pendingFocus: HTMLButtonElement | null = null;

  /** True while a run is going on (a lost device then means "recovering", not "idle"). */
  get isRunning(): boolean {
    return this.running;
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
    const { chart, table, engine } = this.deps;
    chart.reset(settings.epochs);
    table.clear();
    const started = performance.now();
    const progress = $('#progress');
    const evalProgress = $('#eval-progress');
    const testImages = `${formatCount(Math.min(settings.testSamples, data.test.count))} test images`;
    this.status.textContent = `Evaluating the untrained model on ${testImages}…`;
    let steps = '';
    let markedEpoch = 0;
    const recoveries: string[] = [];
    try {
      const result = await engine.train(settings, {
        onEpoch0: (loss, accuracy) => {
          chart.add({ epoch: 0, trainLoss: null, trainAcc: null, testLoss: loss, testAcc: accuracy });
          table.add({ epoch: 0, loss: NaN, trainAccuracy: NaN, testAccuracy: accuracy, seconds: 0 }, loss);
        },
        onStart: (summary, stepsPerEpoch) => {
          steps = `${summary}, ${stepsPerEpoch} steps of ${settings.batchSize}`;
          if (!this.stopRequested) this.status.textContent = `Epoch ${table.lastEpoch + 1} of ${settings.epochs}: ${steps}…`;
        },
        onProgress: (epoch, done, total) => {
          // Marks for the tests (and the Performance panel): the main thread's work during each epoch.
          if (epoch !== markedEpoch) performance.mark('training:epoch-start', { detail: (markedEpoch = epoch) });
          const percent = ((100 * (epoch - 1 + done / total)) / settings.epochs).toFixed(1);
          this.bar.style.width = `${percent}%`;
          progress.setAttribute('aria-valuenow', percent);
          if (!this.stopRequested) this.status.textContent = `Epoch ${epoch} of ${settings.epochs}: step ${done} of ${total} (${steps})`;
        },
        onEvaluating: (epoch, done, total) => {
          // Evaluation is a step of its own: its bar, and the status says what is being evaluated.
          const percent = ((100 * done) / total).toFixed(1);
          evalProgress.hidden = done >= total;
          this.evalBar.style.width = `${percent}%`;
          evalProgress.setAttribute('aria-valuenow', percent);
          if (this.stopRequested || done >= total) return;
          const what = epoch === 0 ? 'the untrained model' : `epoch ${epoch} of ${settings.epochs}`;
          this.status.textContent = `Evaluating ${what} on ${testImages}: ${formatCount(done)} of ${formatCount(total)} done`;
        },
        onEpoch: (record, testLoss, checkpoint) => {
          performance.mark('training:epoch-end', { detail: record.epoch });
          chart.add({ epoch: record.epoch, trainLoss: record.loss, trainAcc: record.trainAccuracy, testLoss, testAcc: record.testAccuracy });
          table.add(record, testLoss);
          this.deps.onEpochModel(checkpoint);
        },
        onRecovering: (message, fromEpoch) => {
          recoveries.push(message);
          // The epochs after the kept one are trained again: take them off the chart and table.
          table.truncate(fromEpoch);
          chart.truncate(fromEpoch);
          markedEpoch = 0;
          setMessage(
            this.message,
            `${message}. The parameters of ${fromEpoch === 0 ? 'the start' : `epoch ${fromEpoch}`} were kept: training goes on from there on a new device, with the dataset uploaded again.`,
            'info',
          );
          this.status.textContent = `Acquiring a new GPU device, then epoch ${fromEpoch + 1} of ${settings.epochs}…`;
        },
      });
      const seconds = (performance.now() - started) / 1000;
      const epochs = result.checkpoint?.meta.epoch ?? 0;
      this.status.dataset.state = 'done';
      this.status.dataset.recoveries = String(result.recoveries);
      this.status.textContent =
        `${result.stopped ? 'Stopped' : 'Done'}: ${epochs} epoch${epochs === 1 ? '' : 's'} on ${formatCount(result.trainSamples)} samples in ${seconds.toFixed(1)} s` +
        `${epochs > 0 && result.test ? `, test accuracy ${result.test.accuracy.toFixed(3)}` : ''}` +
        `${result.recoveries > 0 ? ` (after ${result.recoveries} lost GPU device${result.recoveries === 1 ? '' : 's'}, continued on a new one)` : ''}.`;
      // A stop drops the epoch that was running: the chart and table keep the completed ones.
      table.truncate(epochs);
      chart.truncate(epochs);
      if (epochs > 0 && result.checkpoint && result.test) this.deps.onTrained({ checkpoint: result.checkpoint, test: result.test, settings, stopped: result.stopped });
    } catch (err) {
      this.status.dataset.state = 'failed';
      this.status.textContent = 'Training failed.';
      setMessage(this.message, errorText(err));
    } finally {
      this.setRunning(false);
    }
  }
}
