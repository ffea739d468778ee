import { lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FASHION_MNIST, FASHION_MNIST_CLASSES, FASHION_MNIST_SHAPE, limitSplit } from '../data/dataset.js';
import { loadFashionMnist } from '../data/node.js';
import { UsageError } from '../errors.js';
import { describeAdapter } from '../gpu/device.js';
import { createNodeGpu } from '../gpu/node.js';
import { CHECKPOINT_FILE, type Checkpoint } from '../model/checkpoint.js';
import { checkOutput } from '../io/files.js';
import { lockOutputDir } from '../io/lock.js';
import { loadCheckpoint, saveCheckpoint } from '../model/checkpoint_file.js';
import { checkModelFitsData, describeModel, MODEL_KINDS, MODELS, modelDefaults, modelDefinition, modelOptimizer } from '../model/registry.js';
import { batchSizeProblem } from '../gpu/tuning.js';
import { pixelsOf } from '../model/model.js';
import { TRAINING_LIMITS } from '../train/limits.js';
import { train } from '../train/loop.js';
import { formatEpoch, formatProfile } from './format.js';
import { TRAINING_PICTURES, trainingPictures } from '../report/from_training.js';
import { writePng } from '../report/png.js';
import { flagName, givenFlags, parseFlags, usageHint } from './args.js';
import { Output } from './output.js';
import { OPTIMIZER_FLAGS, optimizerFromFlags } from './optimizer_flags.js';
import { givenModelOptions, modelOptionFlags } from './option_flags.js';
import { ADAM_DEFAULTS, describeOptimizer, isPlainSgd } from '../optim/config.js';
import { ProgressBar } from './progress.js';
import { type StopSignal, StopSignals } from './signals.js';

const MODELS_HELP = MODEL_KINDS.map((kind) => {
  const d = modelDefinition(kind);
  return `${kind}: ${d.summary}, lr ${d.defaults.lr}, ${d.defaults.epochs} epochs`;
}).join('; ');
/** Flags that are model options, from the models' option schemas: passed to the model's spec when given; a model refuses those it does not read. */
const OPTION_FLAGS = modelOptionFlags(MODELS);
const OPTION_NAMES = Object.keys(OPTION_FLAGS);

export const trainSpec = {
  usage: 'webgpu-softmax train [flags]',
  summary:
    'Train a model of d2l\'s (softmax regression by default) on Fashion-MNIST on the GPU with the book\'s defaults,\n' +
    'printing loss, train accuracy and test accuracy after each epoch.',
  flags: {
    model: { type: 'choice' as const, choices: MODEL_KINDS, default: 'scratch', help: MODELS_HELP },
    ...OPTION_FLAGS,
    epochs: { type: 'int' as const, ...TRAINING_LIMITS.epochs, help: 'epochs to train (default: the model\'s, see --model; with --resume: the total, counting those already done)' },
    lr: { type: 'number' as const, positive: true, placeholder: 'RATE', help: 'learning rate (default: the model\'s, see --model; with --optimizer adam, Adam\'s)' },
    ...OPTIMIZER_FLAGS,
    batchSize: { type: 'int' as const, ...TRAINING_LIMITS.batchSize, help: "minibatch size (default: the model's, 256 or the book's 128, see --model)" },
    seed: { type: 'int' as const, default: 0, ...TRAINING_LIMITS.seed, help: 'seed of the weight init and the shuffles' },
    limit: { type: 'int' as const, min: 1, help: 'train on the first N training samples only' },
    data: { type: 'string' as const, placeholder: 'DIR', help: `Fashion-MNIST directory (else $${FASHION_MNIST.envVar}, ${FASHION_MNIST.searchDirs.join(', ')})` },
    out: { type: 'string' as const, placeholder: 'DIR', help: `write the model after each epoch to DIR/${CHECKPOINT_FILE}` },
    resume: { type: 'string' as const, placeholder: 'DIR', help: `continue from the checkpoint in DIR (or DIR/${CHECKPOINT_FILE}; same seed and flags), writing back to it unless --out is given` },
    overwrite: { type: 'boolean' as const, help: `start a new run in an --out DIR that already holds a checkpoint, replacing it (without this, train refuses and offers --resume DIR)` },
    profile: { type: 'boolean' as const, help: 'time every GPU kernel with timestamp queries and print a table per epoch (each dispatch in its own pass: slower)' },
    json: { type: 'boolean' as const, help: 'print one JSON object with the results on stdout (human lines go to stderr)' },
    verbose: { type: 'boolean' as const, help: 'print stack traces on errors' },
  },
  examples: ['npm run train', 'npm run train -- --model concise --epochs 10 --out runs/concise', 'webgpu-softmax train --limit 5000 --json'],
};

/** What the first stop request says (on stderr: the terminal or stdout may be gone, and a closed stderr is ignored). */
const STOP_NOTES: Record<StopSignal, string> = {
  SIGINT: 'interrupted: finishing this epoch, then saving a checkpoint (Ctrl-C again to quit at once)',
  SIGTERM: 'terminated (SIGTERM): finishing this epoch, then saving a checkpoint (SIGTERM or Ctrl-C again to quit at once)',
  SIGHUP: 'hangup (SIGHUP: the terminal closed): finishing this epoch, then saving a checkpoint (a second signal quits at once)',
  SIGPIPE: 'stdout was closed: no more output there; finishing this epoch, then saving a checkpoint',
};

/** Whether `path` (DIR/model.safetensors) is there and is not the checkpoint being resumed. */
function holdsOtherCheckpoint(path: string, resumed: string | undefined): boolean {
  if (!lstatSync(path, { throwIfNoEntry: false })) return false;
  if (!resumed) return true;
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  return real(path) !== real(resumed);
}

export async function trainCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(trainSpec, argv, console.log);
  if (!flags) return 0;
  const out = new Output(flags.json);
  const resume: (Checkpoint & { path: string }) | undefined = flags.resume ? loadCheckpoint(flags.resume) : undefined;
  // Where the run writes: --out, else the directory of the checkpoint resumed (DIR, or DIR/model.safetensors).
  const resumeDir = resume && basename(resume.path) === CHECKPOINT_FILE ? dirname(resume.path) : undefined;
  if (resume && !resumeDir && !flags.out) {
    throw new UsageError(`--resume ${flags.resume}: a checkpoint file not named ${CHECKPOINT_FILE} has no run directory to write back to; add --out DIR to continue it there ${usageHint(trainSpec)}`);
  }
  const outDir = flags.out ?? resumeDir;
  const given = givenFlags(trainSpec, argv);
  if (resume) {
    // The model and its options come from the checkpoint; a flag that names others is a mistake, not a wish.
    const saved = resume.meta.model;
    if (given.has('model') && flags.model !== saved.kind) {
      throw new UsageError(`--model ${flags.model} disagrees with the checkpoint being resumed (model ${saved.kind}); leave --model out to resume it`);
    }
    // Every model option given again must say what the checkpoint says.
    const savedDefinition = modelDefinition(saved.kind);
    for (const key of OPTION_NAMES) {
      const value = (flags as Record<string, unknown>)[key] as string | number | undefined;
      if (value === undefined || !(key in savedDefinition.options)) continue;
      const mine = savedDefinition.spec(saved.input, saved.classes, { ...saved.options, [key]: value }).options[key];
      if (JSON.stringify(mine) !== JSON.stringify(saved.options[key])) {
        throw new UsageError(`${flagName(key)} ${value} disagrees with the checkpoint being resumed (${flagName(key)} ${String(saved.options[key] ?? 'unset')}); leave ${flagName(key)} out to resume it`);
      }
    }
    // Flags not given again continue as the checkpoint's run was started, so the result matches an uninterrupted run.
    const config = resume.meta.config;
    if (!given.has('lr')) flags.lr = config.lr;
    if (!given.has('batchSize')) flags.batchSize = config.batchSize;
    if (!given.has('seed')) flags.seed = config.seed;
    if (!given.has('limit')) flags.limit = config.limit ?? undefined;
    if (!given.has('epochs')) flags.epochs = config.epochs;
    const changed = (['lr', 'batchSize', 'seed', 'limit'] as const).filter((k) => (flags[k] ?? null) !== config[k]);
    if (changed.length > 0) out.warn(`note: ${changed.map((k) => `${flagName(k)} ${flags[k]}`).join(', ')} differ${changed.length === 1 ? 's' : ''} from the run being resumed, so it will not match an uninterrupted one`);
    checkModelFitsData(resume.path, saved, FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES);
  }
  const definition = modelDefinition(resume?.meta.model.kind ?? flags.model);
  const options = givenModelOptions(definition, OPTION_NAMES, flags, usageHint(trainSpec));
  const spec = resume?.meta.model ?? definition.spec(FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES, options);
  // The book's hyper-parameters for this model where the flags do not say.
  const defaults = modelDefaults(spec);
  // Adam's own default learning rate (PyTorch's 0.001), not the book's SGD one.
  if ((flags.optimizer ?? resume?.meta.optimizer?.kind) === 'adam') flags.lr ??= ADAM_DEFAULTS.lr;
  flags.lr ??= defaults.lr;
  const optimizer = optimizerFromFlags(flags, flags.lr, resume?.meta.optimizer);
  modelOptimizer(spec, optimizer); // a model that cannot train with it (the scratch ones write out plain SGD) refuses here, before any work
  flags.epochs ??= defaults.epochs;
  flags.batchSize ??= defaults.batchSize;
  const model = describeModel(spec);
  if (resume && flags.epochs <= resume.meta.epoch) {
    const done = resume.meta.epoch;
    const what = givenFlags(trainSpec, argv).has('epochs') ? `--epochs ${flags.epochs} is not more than the ${done} epochs ${flags.resume} has already done` : `${flags.resume} has already done all ${done} epochs of its run`;
    throw new UsageError(`${what}; --epochs counts those too, so pass --epochs ${done + 1} or more to train on ${usageHint(trainSpec)}`);
  }

  // Before the data is read: every file training writes can be written, and no other run writes DIR.
  if (outDir) for (const name of [CHECKPOINT_FILE, ...TRAINING_PICTURES.map((p) => `${p}.png`)]) checkOutput(join(outDir, name), name === CHECKPOINT_FILE ? 'checkpoint' : 'PNG');
  const lock = outDir ? lockOutputDir(outDir, (note) => out.warn(note)) : null;
  // A new run must not silently replace another run's checkpoint: the user says which they mean. Checked under
  // the lock, so a run still writing DIR is reported as that ("in use"), not as a finished one.
  if (outDir && !flags.overwrite && holdsOtherCheckpoint(join(outDir, CHECKPOINT_FILE), resume?.path)) {
    lock?.release();
    throw new UsageError(`${outDir} already holds a checkpoint (${CHECKPOINT_FILE}); pass --resume ${outDir} to continue it, or --overwrite to start over and replace it ${usageHint(trainSpec)}`);
  }
  const bar = new ProgressBar();
  const signals = new StopSignals((signal) => {
    bar.clear();
    out.warn(STOP_NOTES[signal]);
  });

  const data = await loadFashionMnist({ root: flags.data });
  const limit = flags.limit ?? null;
  if (limit !== null && limit > data.train.count) {
    throw new UsageError(`--limit ${limit} is more than the ${data.train.count} training samples (see \`webgpu-softmax train --help\`)`);
  }
  const trainSplit = limit === null ? data.train : limitSplit(data.train, limit);
  if (flags.batchSize > trainSplit.count) {
    throw new UsageError(`--batch-size ${flags.batchSize} is larger than the ${trainSplit.count} training samples (see \`webgpu-softmax train --help\`)`);
  }

  const gpu = await createNodeGpu();
  // Before any GPU work: a batch past the adapter's limits would only fail inside WebGPU.
  const tooBig = batchSizeProblem(gpu.device.limits, flags.batchSize, pixelsOf(spec.input));
  if (tooBig) {
    gpu.device.destroy();
    throw new UsageError(`--batch-size ${flags.batchSize} ${tooBig} (see \`webgpu-softmax train --help\`)`);
  }
  // A model no batch of which fits this adapter's storage bindings (a batch whose activations pass them trains in chunks).
  const unfit = definition.problem?.(spec, Math.min(flags.batchSize, trainSplit.count), gpu.device.limits.maxStorageBufferBindingSize);
  if (unfit) {
    gpu.device.destroy();
    throw new UsageError(`${unfit} (see \`webgpu-softmax train --help\`)`);
  }
  out.line(`adapter: ${describeAdapter(gpu.adapterInfo)}`);
  out.line(`model ${model}, ${trainSplit.count} training samples, ${data.test.count} test samples, batch ${flags.batchSize}, lr ${flags.lr}, seed ${flags.seed}${isPlainSgd(optimizer) ? '' : `, ${describeOptimizer(optimizer)}`}`);
  if (resume) out.line(`resuming after epoch ${resume.meta.epoch} from ${flags.resume}`);

  signals.startWork();
  let checkpointPath: string | null = null;
  try {
    const result = await train(
      gpu,
      { train: trainSplit, test: data.test },
      { spec, epochs: flags.epochs, lr: flags.lr, optimizer, batchSize: flags.batchSize, seed: flags.seed, limit, profile: flags.profile },
      {
        onStart: (info) =>
          out.line(`${info.summary}: ${info.stepsPerEpoch} steps and ${info.dispatchesPerEpoch} dispatches per epoch, ${(info.gpuBytes / 2 ** 20).toFixed(1)} MiB of GPU buffers`),
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
      const pictures = trainingPictures(data.test, result.test, result.checkpoint.meta.model, result.checkpoint.params, result.history);
      for (const [name, image] of Object.entries(pictures)) await writePng(join(outDir, `${name}.png`), image);
      out.line(`pictures: ${Object.keys(pictures).map((n) => join(outDir, `${n}.png`)).join(', ')}`);
    }
    out.result({
      adapter: gpu.adapterInfo,
      model,
      optimizer,
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

