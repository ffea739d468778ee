/**
 * The messages between the page (main thread: drawing, files, forms) and the GPU engine (engine.ts: the
 * device, training, evaluation, classification), which runs in a dedicated Worker (worker.ts) or, where a
 * browser has no WebGPU in workers, on the main thread behind the same messages (gpu_client.ts).
 * Everything here survives structured cloning: typed arrays, plain objects, no classes or functions.
 */
import type { FashionMnist } from '../data/dataset.js';
import type { AdapterSummary } from '../gpu/device.js';
import type { Checkpoint, EpochRecord } from '../model/checkpoint.js';
import type { ModelSpec } from '../model/model.js';
import type { Parameters } from '../model/tensors.js';
import type { Evaluation } from '../train/evaluate.js';
import type { RgbaImage } from '../report/raster.js';
import type { PicturesRequest, ResultPictures } from './pictures.js';
import type { Settings } from './settings.js';

export interface ModelParams {
  spec: ModelSpec;
  params: Parameters;
}

/** Page -> engine. */
export type Request =
  | { type: 'init' }
  | { type: 'data'; data: Pick<FashionMnist, 'train' | 'test'> }
  /** `settings.spec`: the model the form built (kind and options), which the engine trains as it is. */
  | { type: 'train'; id: number; settings: Settings }
  | { type: 'stop' }
  | { type: 'evaluate'; id: number; model: ModelParams }
  /** The model the classify panel uses from now on (null: none). */
  | { type: 'classifier'; model: ModelParams | null }
  | { type: 'classify'; id: number; pixels: Uint8Array }
  /** The results panel's pictures of a model and its evaluation, drawn in the engine's thread (pictures.ts). */
  | ({ type: 'pictures'; id: number } & PicturesRequest)
  /** Test hook: destroys the device, as a driver reset would lose it. */
  | { type: 'lose-device' };

/** Engine -> page. */
export type EngineEvent =
  | { type: 'gpu'; adapter: AdapterSummary; bindingLimit: number } // bindingLimit: the device's maxStorageBufferBindingSize
  /** No device: `workerWithoutWebGpu` when this is a worker whose navigator has no gpu (the page may have one). */
  | { type: 'no-gpu'; message: string; workerWithoutWebGpu: boolean }
  | { type: 'lost'; reason: string; message: string }
  | { type: 'train-start'; id: number; summary: string; stepsPerEpoch: number }
  /** The untrained model on the test set (the chart's epoch 0). */
  | { type: 'train-epoch0'; id: number; loss: number; accuracy: number }
  | { type: 'train-progress'; id: number; epoch: number; done: number; total: number }
  /** The test set's evaluation after epoch `epoch` (0: the untrained model): `done` of `total` images. */
  | { type: 'train-evaluating'; id: number; epoch: number; done: number; total: number }
  | { type: 'train-epoch'; id: number; record: EpochRecord; testLoss: number; checkpoint: Checkpoint }
  /** The device was lost mid-run: a new one is being acquired, training goes on from `fromEpoch`'s parameters. */
  | { type: 'train-recovering'; id: number; message: string; fromEpoch: number }
  /** checkpoint and test: the last completed epoch's; null when a stop came before the first epoch completed. */
  | { type: 'train-done'; id: number; checkpoint: Checkpoint | null; test: Evaluation | null; stopped: boolean; trainSamples: number; recoveries: number }
  | { type: 'train-failed'; id: number; message: string }
  | { type: 'evaluated'; id: number; evaluation: Evaluation }
  /** `template`: the predicted class's weight template, for models with one per class (pictures.ts ClassTemplates). */
  | { type: 'probabilities'; id: number; probabilities: Float32Array; template: RgbaImage | null }
  | { type: 'pictures'; id: number; pictures: ResultPictures }
  | { type: 'error'; id: number; message: string };
