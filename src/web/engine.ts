/**
 * The page's GPU engine: owns the WebGPU device and everything that waits on it (training with the shared
 * loop, evaluation, the classify pad's forward pass), and answers the page by messages (protocol.ts). It runs
 * in a dedicated Worker (worker.ts), so no GPU wait or training pass ever blocks the page's drawing; the same
 * class runs on the main thread where a browser has no WebGPU in workers. No DOM here.
 *
 * A lost device (driver reset, GPU-process crash, or the test hook's destroy()) during training is survived:
 * the parameters of the last completed epoch are kept on the CPU side after each epoch (the checkpoint the
 * loop hands over), and training goes on from them on a new device with the dataset uploaded again. The loop's
 * shuffle depends only on (seed, epoch), so the run ends with the same figures as one never interrupted.
 */
import { type FashionMnist, limitSplit } from '../data/dataset.js';
import type { Gpu } from '../gpu/device.js';
import type { Checkpoint } from '../model/checkpoint.js';
import { modelDefinition } from '../model/registry.js';
import { type Evaluation, evaluateParameters } from '../train/evaluate.js';
import { train } from '../train/loop.js';
import { ImageClassifier } from './classifier.js';
import { acquireBrowserGpu, WebGpuUnavailable } from './gpu.js';
import { ClassTemplates, type PicturesRequest, picturesTransfer, resultPictures } from './pictures.js';
import type { EngineEvent, ModelParams, Request } from './protocol.js';
import type { Settings } from './settings.js';

/** Device losses one training run recovers from before it gives up (a GPU that keeps failing is not retried forever). */
const MAX_RECOVERIES = 3;
/** How long a failed run waits for its device's `lost` promise before calling the failure something else. */
const LOSS_SETTLE_MS = 2000;
/**
 * Submits per epoch in the page: Stop is checked between submits and the GPU holds at most two of them, so a
 * stop waits for about 2/SUBMITS_PER_EPOCH of an epoch (a few steps), and the bar moves as often.
 */
const SUBMITS_PER_EPOCH = 100;

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Sends an event to the page; `transfer`: buffers moved rather than copied (a worker's postMessage). */
export type Emit = (event: EngineEvent, transfer?: Transferable[]) => void;

export class GpuEngine {
  private gpu: Promise<Gpu> | null = null;
  private current: Gpu | null = null;
  /** Devices that have been lost: an error from work on one of them is a loss, not a bug. */
  private readonly lost = new WeakMap<Gpu, GPUDeviceLostInfo>();
  private data: Pick<FashionMnist, 'train' | 'test'> | null = null;
  private stopRequested = false;
  /** Aborts the run in progress within a few steps (Stop). */
  private stopping: AbortController | null = null;
  /** The model the pad classifies with (the latest the page sent). */
  private classifierModel: ModelParams | null = null;
  /** The classifier built for a model on a device; replaced only between classify tasks (see serially). */
  private classifier: { model: ModelParams; gpu: Gpu; built: ImageClassifier; templates: ClassTemplates } | null = null;
  /**
   * Classifier work, one task after another: a classifier is destroyed or replaced only once the request it
   * serves is done (destroying one with a request queued broke the next model's pipeline check).
   */
  private classifierTasks: Promise<void> = Promise.resolve();
  /** What ran here, for the tests (read through the worker): devices acquired, epochs trained. */
  readonly stats = { devices: 0, epochs: 0 };

  constructor(
    private readonly emit: Emit,
    /** True in a worker: a missing navigator.gpu there may still mean the page has one. */
    private readonly inWorker: boolean,
  ) {}

  handle(request: Request): void {
    switch (request.type) {
      case 'init':
        this.device().catch(() => undefined); // said by the 'no-gpu' event
        return;
      case 'data':
        this.data = request.data;
        return;
      case 'train':
        this.stopRequested = false;
        this.stopping = new AbortController();
        void this.train(request.id, request.settings, this.stopping.signal);
        return;
      case 'stop':
        this.stopRequested = true;
        this.stopping?.abort(new DOMException('training stopped', 'AbortError'));
        return;
      case 'evaluate':
        void this.evaluate(request.id, request.model);
        return;
      case 'classifier':
        this.setClassifier(request.model);
        return;
      case 'classify':
        this.classify(request.id, request.pixels);
        return;
      case 'pictures':
        this.pictures(request.id, request);
        return;
      case 'lose-device':
        void this.gpu?.then((gpu) => gpu.device.destroy()).catch(() => undefined);
        return;
    }
  }

  /** The device, acquiring one if there is none (first use, or after a loss). */
  private device(): Promise<Gpu> {
    this.gpu ??= this.acquire();
    return this.gpu;
  }

  private async acquire(): Promise<Gpu> {
    try {
      const gpu = await acquireBrowserGpu();
      this.stats.devices++;
      this.current = gpu;
      void gpu.lost.then((info) => {
        this.lost.set(gpu, info);
        if (this.current !== gpu) return; // an old device, already replaced
        this.current = null;
        this.gpu = null;
        this.serially(async () => this.dropClassifier());
        this.emit({ type: 'lost', reason: info.reason ?? 'unknown', message: info.message || 'no message' });
      });
      this.emit({ type: 'gpu', adapter: gpu.adapterInfo, bindingLimit: gpu.device.limits.maxStorageBufferBindingSize });
      return gpu;
    } catch (err) {
      this.gpu = null;
      const workerWithoutWebGpu = this.inWorker && err instanceof WebGpuUnavailable && !('gpu' in navigator && navigator.gpu);
      this.emit({ type: 'no-gpu', message: message(err), workerWithoutWebGpu });
      throw err;
    }
  }

  private async train(id: number, settings: Settings, signal: AbortSignal): Promise<void> {
    const data = this.data;
    if (!data) {
      this.emit({ type: 'train-failed', id, message: 'no dataset loaded' });
      return;
    }
    const trainSplit = settings.samples < data.train.count ? limitSplit(data.train, settings.samples) : data.train;
    // Evaluated after every epoch: all of the test set, or its first testSamples images (quicker on a slow adapter).
    const testSplit = settings.testSamples < data.test.count ? limitSplit(data.test, settings.testSamples) : data.test;
    // The spec the form built from the model's options (settings.ts): the model that trains, as the CLI's flags build it.
    const spec = settings.spec;
    const definition = modelDefinition(spec.kind);
    const options = {
      spec, epochs: settings.epochs, lr: settings.lr, batchSize: settings.batchSize, seed: settings.seed,
      limit: settings.samples < data.train.count ? settings.samples : null,
      stepsPerSubmit: Math.max(1, Math.ceil(Math.ceil(trainSplit.count / settings.batchSize) / SUBMITS_PER_EPOCH)),
    };
    // The last completed epoch's state, on the CPU side: what a new device resumes from, and its test evaluation.
    let last: Checkpoint | undefined;
    let lastTest: Evaluation | undefined;
    const evaluating = (epoch: number) => (done: number, total: number) => this.emit({ type: 'train-evaluating', id, epoch, done, total });
    let evaluatedStart = false;
    let recoveries = 0;
    for (;;) {
      let gpu: Gpu | null = null;
      try {
        gpu = await this.device();
        // At this device's storage binding (the form checked before it knew the device, or on another one).
        const unfit = definition.problem?.(spec, Math.min(settings.batchSize, trainSplit.count), gpu.device.limits.maxStorageBufferBindingSize);
        if (unfit) {
          this.emit({ type: 'train-failed', id, message: unfit });
          return;
        }
        if (!evaluatedStart) {
          // Epoch 0: the loop starts from exactly these parameters (same seed), so the chart starts where training does.
          const start = await evaluateParameters(gpu, testSplit, spec, definition.init(spec, settings.seed), { signal, onProgress: evaluating(0) });
          this.emit({ type: 'train-epoch0', id, loss: start.loss, accuracy: start.accuracy });
          evaluatedStart = true;
        }
        const result = await train(
          gpu,
          { train: trainSplit, test: testSplit },
          options,
          {
            onStart: (info) => this.emit({ type: 'train-start', id, summary: info.summary, stepsPerEpoch: info.stepsPerEpoch }),
            onProgress: (epoch, done, total) => this.emit({ type: 'train-progress', id, epoch, done, total }),
            onEvaluationProgress: (epoch, done, total) => evaluating(epoch)(done, total),
            onEpoch: (_record, evaluation) => {
              lastTest = evaluation;
            },
            checkpoint: (checkpoint) => {
              last = checkpoint;
              this.stats.epochs++;
              const record = checkpoint.meta.history[checkpoint.meta.history.length - 1];
              this.emit({ type: 'train-epoch', id, record, testLoss: checkpoint.meta.test?.loss ?? NaN, checkpoint });
            },
            shouldStop: () => this.stopRequested,
            signal,
          },
          last,
        );
        this.emit({ type: 'train-done', id, checkpoint: result.checkpoint, test: result.test, stopped: result.stopped, trainSamples: trainSplit.count, recoveries });
        return;
      } catch (err) {
        if (signal.aborted && err === signal.reason) {
          // Stopped before this device completed an epoch: what an earlier device completed stands (or nothing).
          const kept = last && lastTest ? { checkpoint: last, test: lastTest } : { checkpoint: null, test: null };
          this.emit({ type: 'train-done', id, ...kept, stopped: true, trainSamples: trainSplit.count, recoveries });
          return;
        }
        const deviceLost = gpu !== null && (await this.wasLost(gpu));
        if (deviceLost && recoveries < MAX_RECOVERIES && !this.stopRequested) {
          recoveries++;
          const fromEpoch = last?.meta.epoch ?? 0;
          // Said as the loop says it, whichever call noticed first (a training wait, or a readback the loss aborted).
          const info = this.lost.get(gpu!);
          const what = info ? `GPU device lost (${info.reason ?? 'unknown'}): ${info.message || 'no message'}` : message(err);
          this.emit({ type: 'train-recovering', id, message: `${what.replace(/\.+$/, '')}, during epoch ${fromEpoch + 1}`, fromEpoch });
          continue;
        }
        this.emit({ type: 'train-failed', id, message: message(err) });
        return;
      }
    }
  }

  /**
   * Whether a failure on `gpu` came from losing it. Work on a destroyed device can fail (a mapAsync aborted)
   * before its `lost` promise settles, so a failure waits briefly for it.
   */
  private async wasLost(gpu: Gpu): Promise<boolean> {
    if (this.lost.has(gpu)) return true;
    const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), LOSS_SETTLE_MS));
    // gpu.lost's own handler (acquire()) runs first, so the info is there once this resolves true.
    return Promise.race([gpu.lost.then(() => true), timeout]);
  }

  private async evaluate(id: number, model: ModelParams): Promise<void> {
    try {
      if (!this.data) throw new Error('no dataset loaded');
      const evaluation = await evaluateParameters(await this.device(), this.data.test, model.spec, model.params);
      this.emit({ type: 'evaluated', id, evaluation });
    } catch (err) {
      this.emit({ type: 'error', id, message: message(err) });
    }
  }

  private pictures(id: number, request: PicturesRequest): void {
    try {
      if (!this.data) throw new Error('no dataset loaded');
      const samples = request.evaluation.samples;
      const test = samples < this.data.test.count ? limitSplit(this.data.test, samples) : this.data.test;
      const pictures = resultPictures(test, request);
      this.emit({ type: 'pictures', id, pictures }, picturesTransfer(pictures));
    } catch (err) {
      this.emit({ type: 'error', id, message: message(err) });
    }
  }

  /** Runs `task` after every classifier task before it (a failed one does not stop the ones after it). */
  private serially(task: () => Promise<void>): void {
    this.classifierTasks = this.classifierTasks.then(task).catch(() => undefined);
  }

  private setClassifier(model: ModelParams | null): void {
    this.classifierModel = model;
    // The old model's classifier goes once the requests queued before this one have been answered.
    this.serially(async () => {
      if (this.classifier && this.classifier.model !== this.classifierModel) this.dropClassifier();
    });
  }

  private dropClassifier(): void {
    const old = this.classifier;
    this.classifier = null;
    try {
      old?.built.destroy();
    } catch {
      // a lost device's buffers: nothing left to free
    }
  }

  /**
   * Classifies with the model current when the request's turn comes; its classifier is built on first use (again
   * after a device loss or a new model). The page ignores answers from a model it has since replaced.
   */
  private classify(id: number, pixels: Uint8Array): void {
    this.serially(async () => {
      try {
        const model = this.classifierModel;
        if (!model) throw new Error('no model to classify with');
        const gpu = await this.device();
        if (this.classifier && (this.classifier.model !== model || this.classifier.gpu !== gpu)) this.dropClassifier();
        this.classifier ??= { model, gpu, built: await ImageClassifier.create(gpu, model.spec, model.params), templates: new ClassTemplates(model) };
        const probabilities = await this.classifier.built.classify(pixels);
        const template = this.classifier.templates.tile(probabilities.indexOf(Math.max(...probabilities)));
        this.emit({ type: 'probabilities', id, probabilities, template }, template ? [template.data.buffer as ArrayBuffer] : []);
      } catch (err) {
        this.emit({ type: 'error', id, message: message(err) });
      }
    });
  }
}
