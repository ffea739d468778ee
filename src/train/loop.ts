/**
 * The training loop shared by the CLI and the browser page: epochs of GPU training, a test evaluation after
 * each, divergence and device-loss checks, and a checkpoint hook. No Node APIs: the caller decides where
 * checkpoints go and how progress is shown.
 */
import { DivergenceError, GpuError } from '../errors.js';
import type { Gpu } from '../gpu/device.js';
import type { Checkpoint, CheckpointMeta, EpochRecord } from '../model/checkpoint.js';
import type { ModelKind } from '../model/model.js';
import { initialParameters, type Parameters } from '../model/parameters.js';
import type { Evaluation } from './evaluate.js';
import type { ImageSplit } from './gpu_dataset.js';
import { type KernelTime, Profiler } from './profile.js';
import type { KernelPath } from './step_recorders.js';
import { type Progress, Trainer } from './trainer.js';

export interface TrainOptions {
  model: ModelKind;
  epochs: number; // total epochs, counting those a resumed checkpoint already did
  lr: number;
  batchSize: number;
  seed: number;
  limit: number | null; // train on the first N samples
  stepsPerSubmit?: number;
  kernels?: KernelPath;
  /** Time every kernel with timestamp queries (each dispatch in its own pass; slower). */
  profile?: boolean;
}

export interface TrainStart {
  kernels: KernelPath;
  stepsPerEpoch: number;
  dispatchesPerEpoch: number;
  gpuBytes: number;
}

export interface TrainHooks {
  /** Once the trainer is built: what it will run. */
  onStart?(info: TrainStart): void;
  onEpoch?(record: EpochRecord, evaluation: Evaluation): void | Promise<void>;
  onProgress?(epoch: number, done: number, total: number): void;
  /** Called after every completed epoch with the state to save. */
  checkpoint?(checkpoint: Checkpoint): void | Promise<void>;
  /** With options.profile: per-kernel GPU times of each epoch. */
  onProfile?(epoch: number, times: KernelTime[]): void;
  /** Checked between epochs (e.g. set by SIGINT or a Stop button). */
  shouldStop?(): boolean;
}

export interface TrainResult {
  history: EpochRecord[];
  test: Evaluation;
  checkpoint: Checkpoint;
  stopped: boolean;
}

/** Rejects as soon as the device is lost, so no await hangs on a dead GPU. */
function unlessLost<T>(gpu: Gpu, work: Promise<T>): Promise<T> {
  const lost = gpu.lost.then((info) => {
    throw new GpuError(`GPU device lost (${info.reason}): ${info.message || 'no message'}`);
  });
  return Promise.race([work, lost]);
}

export async function train(gpu: Gpu, data: { train: ImageSplit; test: ImageSplit }, options: TrainOptions, hooks: TrainHooks = {}, resume?: Checkpoint): Promise<TrainResult> {
  const params: Parameters = resume ? resume.params : initialParameters(options.seed);
  const history: EpochRecord[] = resume ? [...resume.meta.history] : [];
  const firstEpoch = resume ? resume.meta.epoch : 0;
  const trainer = await unlessLost(gpu, Trainer.create(gpu, data, options, params));
  hooks.onStart?.({ kernels: trainer.config.kernels, stepsPerEpoch: trainer.stepsPerEpoch, dispatchesPerEpoch: trainer.dispatchesPerEpoch(), gpuBytes: trainer.gpuBytes() });
  const config: CheckpointMeta['config'] = { lr: options.lr, batchSize: options.batchSize, seed: options.seed, epochs: options.epochs, limit: options.limit };
  let test: Evaluation | null = null;
  let checkpoint: Checkpoint = resume ?? { params, meta: { model: options.model, epoch: 0, config, history: [], test: null } };
  let stopped = false;
  try {
    for (let epoch = firstEpoch; epoch < options.epochs; epoch++) {
      if (hooks.shouldStop?.()) {
        stopped = true;
        break;
      }
      const progress: Progress | undefined = hooks.onProgress ? (done, total) => hooks.onProgress!(epoch + 1, done, total) : undefined;
      const profiler = options.profile ? new Profiler(gpu.device) : undefined;
      const metrics = await unlessLost(gpu, trainer.trainEpoch(epoch, progress, profiler));
      if (profiler) {
        hooks.onProfile?.(epoch + 1, profiler.report());
        profiler.destroy();
      }
      if (!Number.isFinite(metrics.loss)) {
        throw new DivergenceError(
          `training diverged in epoch ${epoch + 1}: the loss became ${metrics.loss} (learning rate ${options.lr} is too high?)` +
            (epoch > firstEpoch || resume ? `; the checkpoint of epoch ${checkpoint.meta.epoch} is kept` : ''),
        );
      }
      test = await unlessLost(gpu, trainer.evaluate());
      const record: EpochRecord = { epoch: epoch + 1, loss: metrics.loss, trainAccuracy: metrics.trainAccuracy, testAccuracy: test.accuracy, seconds: metrics.seconds };
      history.push(record);
      const current = await unlessLost(gpu, trainer.readParameters());
      checkpoint = {
        params: current,
        meta: { model: options.model, epoch: epoch + 1, config, history: [...history], test: { loss: test.loss, accuracy: test.accuracy, samples: test.samples } },
      };
      await hooks.onEpoch?.(record, test);
      await hooks.checkpoint?.(checkpoint);
    }
    test ??= await unlessLost(gpu, trainer.evaluate());
    return { history, test, checkpoint, stopped };
  } finally {
    trainer.destroy();
  }
}

export function formatEpoch(r: EpochRecord): string {
  const test = r.testAccuracy === null ? '' : `, test acc ${r.testAccuracy.toFixed(3)}`;
  return `epoch ${r.epoch}, loss ${r.loss.toFixed(4)}, train acc ${r.trainAccuracy.toFixed(3)}${test}, ${r.seconds.toFixed(2)} s`;
}
