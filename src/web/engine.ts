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
import { evaluateParameters } from '../train/evaluate.js';
import { train } from '../train/loop.js';
import { ImageClassifier } from './classifier.js';
import { acquireBrowserGpu, WebGpuUnavailable } from './gpu.js';
import type { EngineEvent, ModelParams, Request } from './protocol.js';
import type { Settings } from './settings.js';

/** Device losses one training run recovers from before it gives up (a GPU that keeps failing is not retried forever). */
const MAX_RECOVERIES = 3;
/** How long a failed run waits for its device's `lost` promise before calling the failure something else. */
const LOSS_SETTLE_MS = 2000;

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class GpuEngine {
  private gpu: Promise<Gpu> | null = null;
  private current: Gpu | null = null;
  /** Devices that have been lost: an error from work on one of them is a loss, not a bug. */
  private readonly lost = new WeakMap<Gpu, GPUDeviceLostInfo>();
  private data: Pick<FashionMnist, 'train' | 'test'> | null = null;
  private stopRequested = false;
  private classifierModel: ModelParams | null = null;
  private classifier: Promise<ImageClassifier> | null = null;
  /** What ran here, for the tests (read through the worker): devices acquired, epochs trained. */
  readonly stats = { devices: 0, epochs: 0 };

  constructor(
    private readonly emit: (event: EngineEvent) => void,
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
        void this.train(request.id, request.settings);
        return;
      case 'stop':
        this.stopRequested = true;
        return;
      case 'evaluate':
        void this.evaluate(request.id, request.model);
        return;
      case 'classifier':
        this.setClassifier(request.model);
        return;
      case 'classify':
        void this.classify(request.id, request.pixels);
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
        this.dropClassifier();
        this.emit({ type: 'lost', reason: info.reason ?? 'unknown', message: info.message || 'no message' });
      });
      this.emit({ type: 'gpu', adapter: gpu.adapterInfo });
      return gpu;
    } catch (err) {
      this.gpu = null;
      const workerWithoutWebGpu = this.inWorker && err instanceof WebGpuUnavailable && !('gpu' in navigator && navigator.gpu);
      this.emit({ type: 'no-gpu', message: message(err), workerWithoutWebGpu });
      throw err;
    }
  }

  private async train(id: number, settings: Settings): Promise<void> {
    const data = this.data;
    if (!data) {
      this.emit({ type: 'train-failed', id, message: 'no dataset loaded' });
      return;
    }
    const trainSplit = settings.samples < data.train.count ? limitSplit(data.train, settings.samples) : data.train;
    // The spec the form built from the model's options (settings.ts): the model that trains, as the CLI's flags build it.
    const spec = settings.spec;
    const definition = modelDefinition(spec.kind);
    const options = {
      spec, epochs: settings.epochs, lr: settings.lr, batchSize: settings.batchSize, seed: settings.seed,
      limit: settings.samples < data.train.count ? settings.samples : null,
    };
    // The last completed epoch's state, on the CPU side: what a new device resumes from.
    let last: Checkpoint | undefined;
    let evaluatedStart = false;
    let recoveries = 0;
    for (;;) {
      let gpu: Gpu | null = null;
      try {
        gpu = await this.device();
        if (!evaluatedStart) {
          // Epoch 0: the loop starts from exactly these parameters (same seed), so the chart starts where training does.
          const start = await evaluateParameters(gpu, data.test, spec, definition.init(spec, settings.seed));
          this.emit({ type: 'train-epoch0', id, loss: start.loss, accuracy: start.accuracy });
          evaluatedStart = true;
        }
        const result = await train(
          gpu,
          { train: trainSplit, test: data.test },
          options,
          {
            onStart: (info) => this.emit({ type: 'train-start', id, summary: info.summary, stepsPerEpoch: info.stepsPerEpoch }),
            onProgress: (epoch, done, total) => this.emit({ type: 'train-progress', id, epoch, done, total }),
            checkpoint: (checkpoint) => {
              last = checkpoint;
              this.stats.epochs++;
              const record = checkpoint.meta.history[checkpoint.meta.history.length - 1];
              this.emit({ type: 'train-epoch', id, record, testLoss: checkpoint.meta.test?.loss ?? NaN, checkpoint });
            },
            shouldStop: () => this.stopRequested,
          },
          last,
        );
        this.emit({ type: 'train-done', id, checkpoint: result.checkpoint, test: result.test, stopped: result.stopped, trainSamples: trainSplit.count, recoveries });
        return;
      } catch (err) {
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

  private setClassifier(model: ModelParams | null): void {
    this.dropClassifier();
    this.classifierModel = model;
  }

  private dropClassifier(): void {
    const old = this.classifier;
    this.classifier = null;
    void old?.then((c) => c.destroy()).catch(() => undefined);
  }

  /** Classifies with the current model; its classifier is built on first use (again after a device loss). */
  private async classify(id: number, pixels: Uint8Array): Promise<void> {
    try {
      const model = this.classifierModel;
      if (!model) throw new Error('no model to classify with');
      this.classifier ??= this.device().then((gpu) => ImageClassifier.create(gpu, model.spec, model.params));
      const classifier = this.classifier;
      classifier.catch(() => this.classifier === classifier && (this.classifier = null));
      const probabilities = await (await classifier).classify(pixels);
      this.emit({ type: 'probabilities', id, probabilities });
    } catch (err) {
      this.emit({ type: 'error', id, message: message(err) });
    }
  }
}
