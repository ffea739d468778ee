/**
 * `webgpu-softmax kernels`: the kernels a model's training step and evaluation run on this adapter, with the override
 * values (shapes, tiles, switches) each is compiled with, and `--show NAME` the WGSL exactly as the device receives
 * it, so a learner can read what the GPU runs. The model is built on the GPU as training builds it (a trainer on a
 * few blank images); nothing is dispatched.
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { describeAdapter } from '../gpu/device.js';
import { type KernelSource, watchKernels } from '../gpu/kernel.js';
import { createNodeGpu } from '../gpu/node.js';
import { loadCheckpoint } from '../model/checkpoint_file.js';
import type { ModelSpec } from '../model/model.js';
import { describeModel, fashionMnistSpec, MODEL_KINDS, modelDefinition } from '../model/registry.js';
import { TRAINING_LIMITS } from '../train/limits.js';
import { Trainer } from '../train/trainer.js';
import { parseFlags, usageHint } from './args.js';

export const kernelsSpec = {
  usage: 'webgpu-softmax kernels --model KIND|PATH [flags]',
  summary:
    "List the GPU kernels a model runs on this adapter (its training step, optimizer and evaluation), each with the\n" +
    'override values it is compiled with; --show NAME prints one as the device receives it (preludes included).',
  flags: {
    model: { type: 'string' as const, placeholder: 'KIND|PATH', help: `a model kind (${MODEL_KINDS.join(', ')}; its default options) or a checkpoint (any model, its options)` },
    batchSize: { type: 'int' as const, default: 256, ...TRAINING_LIMITS.batchSize, help: 'minibatch size the kernels are made for (their grids and some tiles depend on it)' },
    show: { type: 'string' as const, placeholder: 'NAME', help: 'print the WGSL of the kernel NAME (a shader name, NAME:ENTRY, or #N from the list)' },
    json: { type: 'boolean' as const, help: 'print the list as JSON: [{"shader","entryPoint","constants"}]' },
    verbose: { type: 'boolean' as const, help: 'print stack traces on errors' },
  },
  examples: ['webgpu-softmax kernels --model lenet', 'webgpu-softmax kernels --model mlp --show linear:forward', 'webgpu-softmax kernels --model runs/cnn --show "#3"'],
};

/** A kernel's name in the list: its shader, and the entry point where it is not `main`. */
const nameOf = (k: KernelSource) => (k.entryPoint === 'main' ? k.shader : `${k.shader}:${k.entryPoint}`);
const constantsText = (k: KernelSource) => Object.entries(k.constants).map(([name, v]) => `${name}=${v}`).join(' ');

/** The model a --model value names: a kind with its default options, or a checkpoint's. */
function modelSpec(value: string): ModelSpec {
  if (MODEL_KINDS.includes(value)) return fashionMnistSpec(value);
  if (existsSync(value)) return loadCheckpoint(value).meta.model;
  throw new UsageError(`--model must be a model kind (${MODEL_KINDS.join(', ')}) or a checkpoint, not "${value}" ${usageHint(kernelsSpec)}`);
}

export async function kernelsCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(kernelsSpec, argv, console.log);
  if (!flags) return 0;
  if (!flags.model) throw new UsageError(`kernels needs --model KIND|PATH ${usageHint(kernelsSpec)}`);
  const spec = modelSpec(flags.model);
  const definition = modelDefinition(spec.kind);
  const problem = definition.problem?.(spec, flags.batchSize);
  if (problem) throw new UsageError(`--batch-size ${flags.batchSize}: ${problem}`);
  const gpu = await createNodeGpu();
  const seen = new Map<string, KernelSource>();
  const stop = watchKernels(gpu, (k) => seen.set(`${nameOf(k)} ${constantsText(k)}`, k));
  try {
    // Blank images, as many as a step: the kernels depend on shapes, not on the pixels.
    const pixels = spec.input.channels * spec.input.height * spec.input.width;
    const blank = { images: new Uint8Array(flags.batchSize * pixels), labels: new Uint8Array(flags.batchSize), count: flags.batchSize };
    const trainer = await Trainer.create(gpu, { train: blank, test: blank }, spec, definition.init(spec, 0), { lr: definition.defaults.lr, batchSize: flags.batchSize, seed: 0 });
    trainer.destroy();
  } finally {
    stop();
    gpu.device.destroy();
  }
  const kernels = [...seen.values()];
  const adapter = describeAdapter(gpu.adapterInfo);
  if (flags.show !== undefined) {
    const index = /^#(\d+)$/.exec(flags.show);
    const found = index ? kernels[Number(index[1]) - 1] : kernels.find((k) => nameOf(k) === flags.show || k.shader === flags.show);
    if (!found) throw new UsageError(`--show: model ${spec.kind} runs no kernel "${flags.show}" (it runs ${[...new Set(kernels.map(nameOf))].join(', ')})`);
    console.log(`// ${nameOf(found)} as compiled for model ${describeModel(spec)}, batch ${flags.batchSize}`);
    console.log(`// override values: ${constantsText(found) || 'none'}`);
    if (found.preludes.length > 0) console.log(`// preludes first: ${found.preludes.map((p) => `shaders/${p}.wgsl`).join(', ')}; then shaders/${found.shader}.wgsl`);
    console.log(found.code);
    return 0;
  }
  if (flags.json) {
    console.log(JSON.stringify(kernels.map((k) => ({ shader: k.shader, entryPoint: k.entryPoint, constants: k.constants }))));
    return 0;
  }
  console.log(`model ${describeModel(spec)}, batch ${flags.batchSize}, adapter ${adapter}: ${kernels.length} kernels`);
  const width = Math.max(...kernels.map((k) => nameOf(k).length)) + 2;
  kernels.forEach((k, i) => console.log(`${`#${i + 1}`.padStart(4)}  ${nameOf(k).padEnd(width)}${constantsText(k)}`));
  console.log(`(--show NAME or --show '#N' prints one as the device receives it)`);
  return 0;
}
