/**
 * The page's side of the GPU engine (engine.ts): starts it in a dedicated Worker and turns its messages
 * (protocol.ts) into promises and callbacks. Where the browser has no WebGPU in workers (the worker says so)
 * but the page has, the same engine runs on the main thread instead, behind the same messages, and the page
 * says that it does. The main thread itself never touches the GPU.
 */
import type { FashionMnist } from '../data/dataset.js';
import type { AdapterSummary } from '../gpu/device.js';
import type { Checkpoint, EpochRecord } from '../model/checkpoint.js';
import type { Evaluation } from '../train/evaluate.js';
import { GpuEngine } from './engine.js';
import type { PicturesRequest, ResultPictures } from './pictures.js';
import type { EngineEvent, ModelParams, Request } from './protocol.js';
import type { Settings } from './settings.js';

export type EngineMode = 'worker' | 'main thread';

export interface ClientEvents {
  /** `bindingLimit`: the device's maxStorageBufferBindingSize, which decides whether a model fits it (settings.ts). */
  onGpu(adapter: AdapterSummary, bindingLimit: number): void;
  onNoGpu(message: string): void;
  onLost(reason: string, message: string): void;
  /** Where the engine runs; 'main thread' only as the fallback. */
  onMode(mode: EngineMode): void;
}

export interface TrainHandlers {
  onEpoch0(loss: number, accuracy: number): void;
  onStart(summary: string, stepsPerEpoch: number): void;
  onProgress(epoch: number, done: number, total: number): void;
  /** The test evaluation after epoch `epoch` (0: the untrained model) has `done` of `total` images. */
  onEvaluating(epoch: number, done: number, total: number): void;
  onEpoch(record: EpochRecord, testLoss: number, checkpoint: Checkpoint): void;
  onRecovering(message: string, fromEpoch: number): void;
}

export type TrainDone = Extract<EngineEvent, { type: 'train-done' }>;
export type Classified = Omit<Extract<EngineEvent, { type: 'probabilities' }>, 'type' | 'id'>;

export class GpuClient {
  private post: (request: Request) => void = () => undefined;
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(err: Error): void; train?: TrainHandlers }>();
  private data: Request | null = null;
  private classifier: Request | null = null;
  mode: EngineMode = 'worker';

  constructor(private readonly events: ClientEvents) {}

  /** Starts the engine in a Worker and asks it for a device (answered by onGpu or onNoGpu). */
  start(): void {
    try {
      this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'webgpu-softmax trainer' });
      this.worker.addEventListener('message', (e: MessageEvent<EngineEvent>) => this.receive(e.data));
      this.worker.addEventListener('error', (e) => {
        console.error('the training worker failed to start:', e.message);
        this.fallBack();
      });
      const worker = this.worker;
      this.post = (request) => worker.postMessage(request);
      this.events.onMode('worker');
    } catch {
      this.fallBack();
      return;
    }
    this.post({ type: 'init' });
  }

  /** The same engine on the main thread: for browsers with WebGPU in the page but not in workers. */
  private fallBack(): void {
    if (this.mode === 'main thread') return;
    this.worker?.terminate();
    this.worker = null;
    this.mode = 'main thread';
    const engine = new GpuEngine((event) => queueMicrotask(() => this.receive(event)), false);
    this.post = (request) => engine.handle(request);
    this.events.onMode('main thread');
    this.post({ type: 'init' });
    if (this.data) this.post(this.data);
    if (this.classifier) this.post(this.classifier);
  }

  private receive(event: EngineEvent): void {
    switch (event.type) {
      case 'gpu':
        this.events.onGpu(event.adapter, event.bindingLimit);
        return;
      case 'no-gpu':
        if (event.workerWithoutWebGpu && 'gpu' in navigator && navigator.gpu) this.fallBack();
        else this.events.onNoGpu(event.message);
        return;
      case 'lost':
        this.events.onLost(event.reason, event.message);
        return;
    }
    const waiter = this.waiting.get(event.id);
    if (!waiter) return;
    const train = waiter.train;
    switch (event.type) {
      case 'train-epoch0':
        train?.onEpoch0(event.loss, event.accuracy);
        return;
      case 'train-start':
        train?.onStart(event.summary, event.stepsPerEpoch);
        return;
      case 'train-progress':
        train?.onProgress(event.epoch, event.done, event.total);
        return;
      case 'train-evaluating':
        train?.onEvaluating(event.epoch, event.done, event.total);
        return;
      case 'train-epoch':
        train?.onEpoch(event.record, event.testLoss, event.checkpoint);
        return;
      case 'train-recovering':
        train?.onRecovering(event.message, event.fromEpoch);
        return;
      case 'train-done':
        this.waiting.delete(event.id);
        waiter.resolve(event);
        return;
      case 'evaluated':
        this.waiting.delete(event.id);
        waiter.resolve(event.evaluation);
        return;
      case 'probabilities':
        this.waiting.delete(event.id);
        waiter.resolve({ probabilities: event.probabilities, template: event.template });
        return;
      case 'pictures':
        this.waiting.delete(event.id);
        waiter.resolve(event.pictures);
        return;
      case 'train-failed':
      case 'error':
        this.waiting.delete(event.id);
        waiter.reject(new Error(event.message));
        return;
    }
  }

  private request<T>(make: (id: number) => Request, train?: TrainHandlers): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject, train });
      this.post(make(id));
    });
  }

  /** Hands the dataset to the engine (copied into the worker once; the page keeps its own for pictures). */
  setData(data: FashionMnist): void {
    this.data = { type: 'data', data: { train: data.train, test: data.test } };
    this.post(this.data);
  }

  train(settings: Settings, handlers: TrainHandlers): Promise<TrainDone> {
    return this.request<TrainDone>((id) => ({ type: 'train', id, settings }), handlers);
  }

  /** Training stops within a few steps (or evaluation chunks), keeping the last completed epoch. */
  stop(): void {
    this.post({ type: 'stop' });
  }

  evaluate(model: ModelParams): Promise<Evaluation> {
    return this.request<Evaluation>((id) => ({ type: 'evaluate', id, model }));
  }

  setClassifier(model: ModelParams | null): void {
    this.classifier = { type: 'classifier', model };
    this.post(this.classifier);
  }

  /** Class probabilities of one image from the classifier's model, and the predicted class's template if it has one. */
  classify(pixels: Uint8Array): Promise<Classified> {
    return this.request<Classified>((id) => ({ type: 'classify', id, pixels }));
  }

  /** The results panel's pictures, drawn off the main thread where the engine runs in a worker. */
  pictures(request: PicturesRequest): Promise<ResultPictures> {
    return this.request<ResultPictures>((id) => ({ type: 'pictures', id, ...request }));
  }

  /** Test hook: destroys the engine's device (the page then behaves as after a driver reset). */
  loseDevice(): void {
    this.post({ type: 'lose-device' });
  }
}
