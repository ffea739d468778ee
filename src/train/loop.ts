/**
 * The training loop shared by the CLI and the browser page: epochs of GPU training, a test evaluation after
 * each, divergence and device-loss checks, and a checkpoint hook. No Node APIs: the caller decides where
 * checkpoints go and how progress is shown.
 */
import { DivergenceError, GpuError } from '../errors.js';
import { type Gpu, watchGpu } from '../gpu/device.js';
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

/**
 * Why a minibatch of `rows` samples does not fit this device, or null if it does. The largest per-batch
 * allocation is the separate kernels' x: [rows, features] f32 in one storage binding, and gather_minibatch
 * dispatches one workgroup row per sample. (The fused kernels cap the batch far lower; the dataset's own
 * binding is checked when it is uploaded.)
 */
export function batchSizeProblem(limits: GPUSupportedLimits, rows: number, features: number): string | null {
  const bytes = rows * features * 4;
  const candidates: Array<[string, number, number]> = [
    ['maxStorageBufferBindingSize', limits.maxStorageBufferBindingSize, Math.floor(limits.maxStorageBufferBindingSize / (features * 4))],
    ['maxBufferSize', limits.maxBufferSize, Math.floor(limits.maxBufferSize / (features * 4))],
    ['maxComputeWorkgroupsPerDimension', limits.maxComputeWorkgroupsPerDimension, limits.maxComputeWorkgroupsPerDimension],
  ];
  const [name, value, max] = candidates.reduce((a, b) => (b[2] < a[2] ? b : a));
  if (rows <= max) return null;
  const need = name === 'maxComputeWorkgroupsPerDimension' ? `${rows} workgroups in one dimension` : `a ${bytes}-byte minibatch buffer (${rows} x ${features} f32)`;
  return `needs ${need}, more than this adapter's ${name} (${value}) allows; the largest batch size it can train is ${max}`;
}

export async function train(gpu: Gpu, data: { train: ImageSplit; test: ImageSplit }, options: TrainOptions, hooks: TrainHooks = {}, resume?: Checkpoint): Promise<TrainResult> {
  const params: Parameters = resume ? resume.params : initialParameters(options.seed);
  const history: EpochRecord[] = resume ? [...resume.meta.history] : [];
  const firstEpoch = resume ? resume.meta.epoch : 0;
  const tooBig = batchSizeProblem(gpu.device.limits, Math.min(options.batchSize, data.train.count), params.features);
  if (tooBig) throw new GpuError(`batch size ${options.batchSize} ${tooBig}`);
  const watch = watchGpu(gpu);
  let trainer: Trainer | null = null;
  const config: CheckpointMeta['config'] = { lr: options.lr, batchSize: options.batchSize, seed: options.seed, epochs: options.epochs, limit: options.limit };
  let test: Evaluation | null = null;
  let checkpoint: Checkpoint = resume ?? { params, meta: { model: options.model, epoch: 0, config, history: [], test: null } };
  let stopped = false;
  // Said with every failure after the trainer exists: what the caller still has.
  const kept = () => (hooks.checkpoint && checkpoint.meta.epoch > 0 ? `; the checkpoint of epoch ${checkpoint.meta.epoch} is kept` : '');
  try {
    trainer = await watch.guard(Trainer.create(gpu, data, options, params));
    watch.check(); // bind groups and buffers made by create() report their validation errors synchronously
    hooks.onStart?.({ kernels: trainer.config.kernels, stepsPerEpoch: trainer.stepsPerEpoch, dispatchesPerEpoch: trainer.dispatchesPerEpoch(), gpuBytes: trainer.gpuBytes() });
    for (let epoch = firstEpoch; epoch < options.epochs; epoch++) {
      if (hooks.shouldStop?.()) {
        stopped = true;
        break;
      }
      const progress: Progress | undefined = hooks.onProgress ? (done, total) => hooks.onProgress!(epoch + 1, done, total) : undefined;
      const profiler = options.profile ? new Profiler(gpu.device) : undefined;
      // The epoch's loss sum accumulates on the GPU and is read once: a non-finite sum is the divergence flag.
      const metrics = await watch.guard(trainer.trainEpoch(epoch, progress, profiler));
      watch.check();
      if (profiler) {
        hooks.onProfile?.(epoch + 1, profiler.report());
        profiler.destroy();
      }
      const diverged = (what: string, value: number) =>
        new DivergenceError(`training diverged in epoch ${epoch + 1}: ${what} became ${value} (learning rate ${options.lr} is too high?)${kept()}`);
      if (!Number.isFinite(metrics.loss)) throw diverged('the loss', metrics.loss);
      test = await watch.guard(trainer.evaluate());
      const current = await watch.guard(trainer.readParameters());
      watch.check();
      // The scratch model's loss is clamped (-log of at least FLT_MIN), so weights can overflow while its
      // loss stays finite: never let non-finite weights replace a good checkpoint.
      const bad = [current.weights, current.bias].map((t) => t.find((v) => !Number.isFinite(v))).find((v) => v !== undefined);
      if (bad !== undefined) throw diverged('the weights', bad);
      if (!Number.isFinite(test.loss)) throw diverged('the test loss', test.loss);
      const record: EpochRecord = { epoch: epoch + 1, loss: metrics.loss, trainAccuracy: metrics.trainAccuracy, testAccuracy: test.accuracy, seconds: metrics.seconds };
      history.push(record);
      const next: Checkpoint = {
        params: current,
        meta: { model: options.model, epoch: epoch + 1, config, history: [...history], test: { loss: test.loss, accuracy: test.accuracy, samples: test.samples } },
      };
      await hooks.onEpoch?.(record, test);
      watch.check(); // a GPU error reported by now: this epoch is not trusted, its checkpoint not written
      await hooks.checkpoint?.(next);
      checkpoint = next;
    }
    test ??= await watch.guard(trainer.evaluate());
    watch.check();
    return { history, test, checkpoint, stopped };
  } catch (err) {
    if (err instanceof GpuError && trainer) throw new GpuError(`${err.message}${kept()}`, { cause: err });
    throw err;
  } finally {
    watch.stop();
    trainer?.destroy();
  }
}

export function formatEpoch(r: EpochRecord): string {
  const test = r.testAccuracy === null ? '' : `, test acc ${r.testAccuracy.toFixed(3)}`;
  return `epoch ${r.epoch}, loss ${r.loss.toFixed(4)}, train acc ${r.trainAccuracy.toFixed(3)}${test}, ${r.seconds.toFixed(2)} s`;
}
