import { join } from 'node:path';
import { limitSplit } from '../data/dataset.js';
import { loadFashionMnist } from '../data/node.js';
import { UsageError } from '../errors.js';
import { describeAdapter } from '../gpu/device.js';
import { createNodeGpu } from '../gpu/node.js';
import { fusedUnsupported } from '../kernels/fused_forward_loss_grad.js';
import { CHECKPOINT_FILE, type Checkpoint } from '../model/checkpoint.js';
import { checkOutput } from '../io/files.js';
import { lockOutputDir } from '../io/lock.js';
import { loadCheckpoint, saveCheckpoint } from '../model/checkpoint_file.js';
import { MODEL_KINDS, type ModelKind } from '../model/model.js';
import { batchSizeProblem, formatEpoch, train } from '../train/loop.js';
import { formatProfile } from '../train/profile.js';
import { TRAINING_PICTURES, trainingPictures } from '../report/from_training.js';
import { writePng } from '../report/png.js';
import { KERNEL_PATHS, type KernelPath } from '../train/step_recorders.js';
import { flagName, givenFlags, parseFlags, usageHint } from './args.js';
import { Output } from './output.js';
import { ProgressBar } from './progress.js';
import { StopSignals } from './signals.js';

export const trainSpec = {
  usage: 'webgpu-softmax train [flags]',
  summary:
    'Train softmax regression (784 -> 10) on Fashion-MNIST on the GPU with d2l\'s defaults, printing loss, train\n' +
    'accuracy and test accuracy after each epoch.',
  flags: {
    model: { type: 'choice' as const, choices: MODEL_KINDS, default: 'scratch', help: 'scratch: softmax, clamped cross-entropy and hand-written gradients (d2l 3.6); concise: Linear + CrossEntropyLoss (log-sum-exp) + SGD objects (d2l 3.7)' },
    kernels: { type: 'choice' as const, choices: ['auto', ...KERNEL_PATHS], default: 'auto', help: 'fused: 2 dispatches per step (fast, batch <= 1638); separate: the model\'s own kernel per stage (teaching form); auto: fused where it fits' },
    epochs: { type: 'int' as const, default: 5, min: 1, max: 100000, help: 'epochs to train (with --resume: the total, counting those already done)' },
    lr: { type: 'number' as const, default: 0.1, positive: true, placeholder: 'RATE', help: 'SGD learning rate' },
    batchSize: { type: 'int' as const, default: 256, min: 1, max: 65536, help: 'minibatch size' },
    seed: { type: 'int' as const, default: 0, min: 0, max: 4294967295, help: 'seed of the weight init and the shuffles' },
    limit: { type: 'int' as const, min: 1, help: 'train on the first N training samples only' },
    data: { type: 'string' as const, placeholder: 'DIR', help: 'Fashion-MNIST directory (else $FASHION_MNIST_DIR, /usr/share/datasets/fashion-mnist, ./data/fashion-mnist)' },
    out: { type: 'string' as const, placeholder: 'DIR', help: `write the model after each epoch to DIR/${CHECKPOINT_FILE}` },
    resume: { type: 'string' as const, placeholder: 'DIR', help: 'continue from the checkpoint in DIR (same seed and flags), writing back to it unless --out is given' },
    profile: { type: 'boolean' as const, help: 'time every GPU kernel with timestamp queries and print a table per epoch (each dispatch in its own pass: slower)' },
    json: { type: 'boolean' as const, help: 'print one JSON object with the results on stdout (human lines go to stderr)' },
    verbose: { type: 'boolean' as const, help: 'print stack traces on errors' },
  },
  examples: ['npm run train', 'npm run train -- --model concise --epochs 10 --out runs/concise', 'webgpu-softmax train --limit 5000 --json'],
};

export async function trainCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(trainSpec, argv, console.log);
  if (!flags) return 0;
  const out = new Output(flags.json);
  const resume: Checkpoint | undefined = flags.resume ? loadCheckpoint(flags.resume, { features: 784, classes: 10 }) : undefined;
  const outDir = flags.out ?? flags.resume;
  const model = (resume?.meta.model ?? flags.model) as ModelKind;
  if (resume && flags.model !== 'scratch' && flags.model !== resume.meta.model) {
    throw new UsageError(`--model ${flags.model} disagrees with the checkpoint being resumed (model ${resume.meta.model})`);
  }
  if (resume) {
    // Flags not given again continue as the checkpoint's run was started, so the result matches an uninterrupted run.
    const given = givenFlags(trainSpec, argv);
    const saved = resume.meta.config;
    if (!given.has('lr')) flags.lr = saved.lr;
    if (!given.has('batchSize')) flags.batchSize = saved.batchSize;
    if (!given.has('seed')) flags.seed = saved.seed;
    if (!given.has('limit')) flags.limit = saved.limit ?? undefined;
    if (!given.has('epochs')) flags.epochs = saved.epochs;
    const changed = (['lr', 'batchSize', 'seed', 'limit'] as const).filter((k) => (flags[k] ?? null) !== saved[k]);
    if (changed.length > 0) out.warn(`note: ${changed.map((k) => `${flagName(k)} ${flags[k]}`).join(', ')} differ${changed.length === 1 ? 's' : ''} from the run being resumed, so it will not match an uninterrupted one`);
  }
  if (resume && flags.epochs <= resume.meta.epoch) {
    const done = resume.meta.epoch;
    const what = givenFlags(trainSpec, argv).has('epochs') ? `--epochs ${flags.epochs} is not more than the ${done} epochs ${flags.resume} has already done` : `${flags.resume} has already done all ${done} epochs of its run`;
    throw new UsageError(`${what}; --epochs counts those too, so pass --epochs ${done + 1} or more to train on ${usageHint(trainSpec)}`);
  }

  // Before the data is read: every file training writes can be written, and no other run writes DIR.
  if (outDir) for (const name of [CHECKPOINT_FILE, ...TRAINING_PICTURES.map((p) => `${p}.png`)]) checkOutput(join(outDir, name), name === CHECKPOINT_FILE ? 'checkpoint' : 'PNG');
  const lock = outDir ? lockOutputDir(outDir, (note) => out.warn(note)) : null;
  const bar = new ProgressBar();
  const signals = new StopSignals((signal) => {
    bar.clear();
    out.warn(
      signal === 'SIGINT'
        ? 'interrupted: finishing this epoch, then saving a checkpoint (Ctrl-C again to quit at once)'
        : 'terminated (SIGTERM): finishing this epoch, then saving a checkpoint (SIGTERM or Ctrl-C again to quit at once)',
    );
  });

  const data = await loadFashionMnist({ root: flags.data });
  const limit = flags.limit ?? null;
  if (limit !== null && limit > data.train.count) {
    throw new UsageError(`--limit ${limit} is more than the ${data.train.count} training samples (see \`webgpu-softmax train --help\`)`);
  }
  const trainSplit = limit === null ? data.train : limitSplit(data.train, limit);
  if (flags.kernels === 'fused') {
    const unsupported = fusedUnsupported({ rows: Math.min(flags.batchSize, trainSplit.count), features: 784, classes: 10 });
    if (unsupported) throw new UsageError(`--kernels fused: ${unsupported}; use --kernels separate or auto (see \`webgpu-softmax train --help\`)`);
  }
  if (flags.batchSize > trainSplit.count) {
    throw new UsageError(`--batch-size ${flags.batchSize} is larger than the ${trainSplit.count} training samples (see \`webgpu-softmax train --help\`)`);
  }

  const gpu = await createNodeGpu();
  // Before any GPU work: a batch past the adapter's limits would only fail inside WebGPU.
  const tooBig = batchSizeProblem(gpu.device.limits, flags.batchSize, 784);
  if (tooBig) {
    gpu.device.destroy();
    throw new UsageError(`--batch-size ${flags.batchSize} ${tooBig} (see \`webgpu-softmax train --help\`)`);
  }
  out.line(`adapter: ${describeAdapter(gpu.adapterInfo)}`);
  out.line(`model ${model}, ${trainSplit.count} training samples, ${data.test.count} test samples, batch ${flags.batchSize}, lr ${flags.lr}, seed ${flags.seed}`);
  if (resume) out.line(`resuming after epoch ${resume.meta.epoch} from ${flags.resume}`);

  signals.startWork();
  let checkpointPath: string | null = null;
  try {
    const result = await train(
      gpu,
      { train: trainSplit, test: data.test },
      { model, epochs: flags.epochs, lr: flags.lr, batchSize: flags.batchSize, seed: flags.seed, limit, profile: flags.profile, kernels: flags.kernels === 'auto' ? undefined : (flags.kernels as KernelPath) },
      {
        onStart: (info) =>
          out.line(`${info.kernels} kernels: ${info.stepsPerEpoch} steps and ${info.dispatchesPerEpoch} dispatches per epoch, ${(info.gpuBytes / 2 ** 20).toFixed(1)} MiB of GPU buffers`),
        onProgress: (epoch, done, total) => bar.update(`epoch ${epoch}`, done, total),
        onProfile: (epoch, times) => {
          bar.clear();
          out.line(`GPU time per kernel, epoch ${epoch}:\n${formatProfile(times)}`);
        },
        onEpoch: (record) => {
          bar.clear();
          out.line(formatEpoch(record));
        },
        checkpoint: outDir
          ? (ck) => {
              checkpointPath = saveCheckpoint(outDir, ck);
            }
          : undefined,
        shouldStop: () => signals.requested !== null,
      },
      resume,
    );
    bar.clear();
    out.line(`test loss ${result.test.loss.toFixed(4)}, test acc ${result.test.accuracy.toFixed(3)} (${result.test.samples} samples)`);
    if (checkpointPath) out.line(`checkpoint: ${checkpointPath}`);
    if (outDir && result.history.length > 0) {
      const pictures = trainingPictures(data.test, result.test, result.checkpoint.params, result.history);
      for (const [name, image] of Object.entries(pictures)) await writePng(join(outDir, `${name}.png`), image);
      out.line(`pictures: ${Object.keys(pictures).map((n) => join(outDir, `${n}.png`)).join(', ')}`);
    }
    out.result({
      adapter: gpu.adapterInfo,
      model,
      epochs: result.history,
      test: { loss: result.test.loss, accuracy: result.test.accuracy, samples: result.test.samples },
      checkpoint: checkpointPath,
      stopped: result.stopped,
    });
    if (result.stopped) {
      out.warn(`stopped after epoch ${result.checkpoint.meta.epoch}${checkpointPath ? `; resume with --resume ${outDir}` : ''}`);
    } else if (signals.requested) {
      out.warn('interrupted during the last epoch, which finished: the run is complete');
    }
    return signals.exitCode(0);
  } finally {
    signals.dispose();
    bar.clear();
    gpu.device.destroy();
    lock?.release();
  }
}

