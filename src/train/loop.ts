/**
 * The training loop shared by the CLI and the browser page: epochs of GPU training, a test evaluation after
 * each, divergence and device-loss checks, and a checkpoint hook. No Node APIs: the caller decides where
 * checkpoints go and how progress is shown.
 */
import { ArgumentError, DivergenceError, GpuError, optionRef } from '../errors.js';
import { type Gpu, watchGpu } from '../gpu/device.js';
import { batchSizeProblem } from '../gpu/tuning.js';
import type { Checkpoint, CheckpointMeta, EpochRecord } from '../model/checkpoint.js';
import { type ModelSpec, pixelsOf } from '../model/model.js';
import { modelDefinition } from '../model/registry.js';
import { firstNonFinite, type Parameters } from '../model/tensors.js';
import type { Evaluation } from './evaluate.js';
import type { ImageSplit } from '../gpu/split.js';
import { type KernelTime, Profiler } from './profile.js';
import { type Progress, Trainer } from './trainer.js';
import { type OptimizerConfig, plainSgd } from '../optim/config.js';

/** What `train` trains and how: the model, the epochs and the SGD hyper-parameters. */
export interface TrainOptions {
  /** The model to train (kind, input, classes, options); a resumed run takes the checkpoint's. */
  spec: ModelSpec;
  /** total epochs, counting those a resumed checkpoint already did */
  epochs: number;
  /** The learning rate of plain SGD (the book's optimizer), where `optimizer` is not given. */
  lr: number;
  /**
   * The optimizer (`optim.SGD(...)`, `optim.Adam(...)`); default plain SGD at `lr`. Given, its lr is the run's. A
   * resumed run continues from the checkpoint's optimizer state where it has this optimizer's.
   */
  optimizer?: OptimizerConfig | undefined;
  /** Minibatch size. */
  batchSize: number;
  /** Seed of the weight init and the shuffles. */
  seed: number;
  /** train on the first N samples */
  limit: number | null;
  /** Steps recorded per queue submit; default about ten submits an epoch. */
  stepsPerSubmit?: number | undefined;
  /** Time every kernel with timestamp queries (each dispatch in its own pass; slower). */
  profile?: boolean | undefined;
}

/** What the trainer will run, given to `onStart` once it is built. */
export interface TrainStart {
  /** How the model trains, e.g. "fused kernels". */
  summary: string;
  /** Minibatch steps an epoch. */
  stepsPerEpoch: number;
  /** Compute dispatches an epoch (steps and the epoch-end totals). */
  dispatchesPerEpoch: number;
  /** GPU buffer bytes of the run: data, model, step and evaluator. */
  gpuBytes: number;
}

/** How the caller follows and steers a run: every hook is optional. */
export interface TrainHooks {
  /** Once the trainer is built: what it will run. */
  onStart?: ((info: TrainStart) => void) | undefined;
  /** After each epoch: its figures and the test evaluation (awaited before the next). */
  onEpoch?: ((record: EpochRecord, evaluation: Evaluation) => void | Promise<void>) | undefined;
  /** As the GPU finishes submits of an epoch: the epoch (1-based), steps done and steps in all. */
  onProgress?: ((epoch: number, done: number, total: number) => void) | undefined;
  /** Called after every completed epoch with the state to save. */
  checkpoint?: ((checkpoint: Checkpoint) => void | Promise<void>) | undefined;
  /** With options.profile: per-kernel GPU times of each epoch. */
  onProfile?: ((epoch: number, times: KernelTime[]) => void) | undefined;
  /** Checked between epochs (e.g. set by SIGINT or a Stop button). */
  shouldStop?: (() => boolean) | undefined;
  /**
   * Stops the run within a few steps: checked between an epoch's submits and between the test evaluation's chunks
   * (options.stepsPerSubmit sets how many steps that is). The epoch that was running is dropped: the result is the
   * last completed epoch's (stopped: true); a run aborted before its first epoch completed rejects with the
   * signal's reason.
   */
  signal?: AbortSignal | undefined;
  /** Rows of the test set evaluated so far after epoch `epoch`, as the evaluation's chunks complete. */
  onEvaluationProgress?: ((epoch: number, done: number, total: number) => void) | undefined;
}

/**
 * The setting a divergence can be blamed on. Weight decay multiplies the weights by 1 - lr * wd every step
 * whatever the gradient, so past lr * wd = 2 it alone makes them grow without bound: then it is the cause
 * (named as the model option, which the CLI prints as its flag). Otherwise the learning rate is the suspect.
 */
export function divergenceSuspect(spec: ModelSpec, lr: number): string {
  const wd = Number(spec.options.weightDecay ?? 0);
  if (wd > 0 && lr * wd >= 2) {
    return `${optionRef('weightDecay')} ${wd} is too high for learning rate ${lr}: each step multiplies the weights by 1 - lr x weight decay = ${Number((1 - lr * wd).toPrecision(6))}`;
  }
  return `learning rate ${lr} is too high?`;
}

/** What `train` returns: the per-epoch history, the last test evaluation, the trained model, and whether `shouldStop` ended the run early. */
export interface TrainResult {
  /** Every epoch's figures, those of a resumed checkpoint first. */
  history: EpochRecord[];
  /** The test evaluation after the last epoch. */
  test: Evaluation;
  /** The trained model: the last completed epoch's parameters and metadata. */
  checkpoint: Checkpoint;
  /** Whether `shouldStop` (or `signal`) ended the run before its last epoch. */
  stopped: boolean;
}

/**
 * Trains `options.spec` on `data.train` for `options.epochs` epochs on the GPU, evaluating on `data.test` after each;
 * from fresh parameters (the model's init with `options.seed`) or, given `resume`, from a checkpoint's, continuing
 * after its epoch. Throws a DivergenceError on a non-finite loss or weight, and a GpuError on a lost device or a
 * WebGPU error.
 */
export async function train(gpu: Gpu, data: { train: ImageSplit; test: ImageSplit }, options: TrainOptions, hooks: TrainHooks = {}, resume?: Checkpoint): Promise<TrainResult> {
  const spec = resume ? resume.meta.model : options.spec;
  const params: Parameters = resume ? resume.params : modelDefinition(spec.kind).init(spec, options.seed);
  const history: EpochRecord[] = resume ? [...resume.meta.history] : [];
  const firstEpoch = resume ? resume.meta.epoch : 0;
  if (options.limit !== null) {
    // The first `limit` training samples, as the CLI's --limit (a split already cut to them stays as it is).
    const { images, labels, count } = data.train;
    if (!(Number.isInteger(options.limit) && options.limit >= 1 && options.limit <= count)) throw new ArgumentError(`options.limit must be an integer in 1..${count} (the training samples), not ${options.limit}`);
    const pixels = pixelsOf(spec.input);
    data = { ...data, train: { images: images.subarray(0, options.limit * pixels), labels: labels.subarray(0, options.limit), count: options.limit } };
  }
  const tooBig = batchSizeProblem(gpu.device.limits, Math.min(options.batchSize, data.train.count), pixelsOf(spec.input));
  if (tooBig) throw new GpuError(`batch size ${options.batchSize} ${tooBig}`);
  const watch = watchGpu(gpu);
  let trainer: Trainer | null = null;
  const optimizer = options.optimizer ?? plainSgd(options.lr);
  const config: CheckpointMeta['config'] = { lr: optimizer.lr, batchSize: options.batchSize, seed: options.seed, epochs: options.epochs, limit: options.limit };
  let test: Evaluation | null = null;
  let checkpoint: Checkpoint = resume ?? { params, meta: { model: spec, epoch: 0, config, history: [], test: null, optimizer } };
  let stopped = false;
  // Said with every failure after the trainer exists: what the caller still has.
  const kept = () => (hooks.checkpoint && checkpoint.meta.epoch > 0 ? `; the checkpoint of epoch ${checkpoint.meta.epoch} is kept` : '');
  try {
    trainer = await watch.guard(Trainer.create(gpu, data, spec, params, { ...options, optimizer, optimizerState: resume?.optimizerState }));
    watch.check(); // bind groups and buffers made by create() report their validation errors synchronously
    hooks.onStart?.({ summary: trainer.summary, stepsPerEpoch: trainer.stepsPerEpoch, dispatchesPerEpoch: trainer.dispatchesPerEpoch(), gpuBytes: trainer.gpuBytes() });
    for (let epoch = firstEpoch; epoch < options.epochs; epoch++) {
      if (hooks.shouldStop?.()) {
        stopped = true;
        break;
      }
      const progress: Progress | undefined = hooks.onProgress ? (done, total) => hooks.onProgress!(epoch + 1, done, total) : undefined;
      const profiler = options.profile ? new Profiler(gpu.device) : undefined;
      // The epoch's loss sum accumulates on the GPU and is read once: a non-finite sum is the divergence flag.
      const metrics = await watch.guard(trainer.trainEpoch(epoch, progress, profiler, hooks.signal));
      watch.check();
      if (profiler) {
        hooks.onProfile?.(epoch + 1, profiler.report());
        profiler.destroy();
      }
      const diverged = (what: string, value: number) =>
        new DivergenceError(`training diverged in epoch ${epoch + 1}: ${what} became ${value} (${divergenceSuspect(spec, optimizer.lr)})${kept()}`);
      if (!Number.isFinite(metrics.loss)) throw diverged('the loss', metrics.loss);
      const evaluationProgress = hooks.onEvaluationProgress ? (done: number, total: number) => hooks.onEvaluationProgress!(epoch + 1, done, total) : undefined;
      test = await watch.guard(trainer.evaluate({ signal: hooks.signal, onProgress: evaluationProgress }));
      const current = await watch.guard(trainer.readParameters());
      const optimizerState = await watch.guard(trainer.readOptimizerState());
      watch.check();
      // The scratch model's loss is clamped (-log of at least FLT_MIN), so weights can overflow while its
      // loss stays finite: never let non-finite weights (or optimizer state) replace a good checkpoint.
      const bad = firstNonFinite(current);
      if (bad) throw diverged('the weights', bad.value);
      const badState = firstNonFinite(optimizerState);
      if (badState) throw diverged(`the optimizer's ${badState.name}`, badState.value);
      if (!Number.isFinite(test.loss)) throw diverged('the test loss', test.loss);
      const record: EpochRecord = { epoch: epoch + 1, loss: metrics.loss, trainAccuracy: metrics.trainAccuracy, testAccuracy: test.accuracy, seconds: metrics.seconds };
      history.push(record);
      const next: Checkpoint = {
        params: current,
        meta: { model: spec, epoch: epoch + 1, config, history: [...history], test: { loss: test.loss, accuracy: test.accuracy, samples: test.samples }, optimizer },
        ...(Object.keys(optimizerState).length > 0 ? { optimizerState } : {}),
      };
      await hooks.onEpoch?.(record, test);
      watch.check(); // a GPU error reported by now: this epoch is not trusted, its checkpoint not written
      await hooks.checkpoint?.(next);
      checkpoint = next;
    }
    test ??= await watch.guard(trainer.evaluate({ signal: hooks.signal }));
    watch.check();
    return { history, test, checkpoint, stopped };
  } catch (err) {
    // Aborted mid-epoch or mid-evaluation: the last completed epoch (its checkpoint and test evaluation) stands.
    if (hooks.signal?.aborted && err === hooks.signal.reason && test) return { history: checkpoint.meta.history, test, checkpoint, stopped: true };
    if (err instanceof GpuError && trainer) throw new GpuError(`${err.message}${kept()}`, { cause: err });
    throw err;
  } finally {
    watch.stop();
    trainer?.destroy();
  }
}
