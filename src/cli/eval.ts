import { loadFashionMnist } from '../data/node.js';
import { DivergenceError, UsageError } from '../errors.js';
import { describeAdapter, watchGpu } from '../gpu/device.js';
import { createNodeGpu } from '../gpu/node.js';
import { loadCheckpoint } from '../model/checkpoint_file.js';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_SHAPE } from '../data/dataset.js';
import { checkModelFitsData, describeModel } from '../model/registry.js';
import { evaluateParameters } from '../train/evaluate.js';
import { parseFlags } from './args.js';
import { Output } from './output.js';

export const evalSpec = {
  usage: 'webgpu-softmax eval --model PATH [flags]',
  summary: 'Evaluate a checkpoint written by `train --out DIR` on the Fashion-MNIST test set, on the GPU.',
  flags: {
    model: { type: 'string' as const, placeholder: 'PATH', help: 'checkpoint file, or the directory train --out wrote' },
    data: { type: 'string' as const, placeholder: 'DIR', help: 'Fashion-MNIST directory (same search order as train)' },
    json: { type: 'boolean' as const, help: 'print one JSON object on stdout: {"loss","accuracy","samples"}' },
    verbose: { type: 'boolean' as const, help: 'print stack traces on errors' },
  },
  examples: ['webgpu-softmax eval --model runs/scratch'],
};

export async function evalCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(evalSpec, argv, console.log);
  if (!flags) return 0;
  const out = new Output(flags.json);
  if (!flags.model) {
    throw new UsageError('eval needs --model PATH (a checkpoint written by train --out DIR) (see `webgpu-softmax eval --help`)');
  }
  const checkpoint = loadCheckpoint(flags.model);
  const data = await loadFashionMnist({ root: flags.data });
  checkModelFitsData(checkpoint.path, checkpoint.meta.model, FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES);
  const gpu = await createNodeGpu();
  const watch = watchGpu(gpu);
  try {
    out.line(`adapter: ${describeAdapter(gpu.adapterInfo)}`);
    out.line(`checkpoint: ${checkpoint.path} (model ${describeModel(checkpoint.meta.model)}, epoch ${checkpoint.meta.epoch})`);
    const result = await watch.guard(evaluateParameters(gpu, data.test, checkpoint.meta.model, checkpoint.params));
    watch.check();
    if (!Number.isFinite(result.loss)) {
      throw new DivergenceError(`${checkpoint.path}: its weights are finite but give a test loss of ${result.loss} (too large for f32: the run that wrote it diverged); use an earlier checkpoint`);
    }
    out.line(`test loss ${result.loss.toFixed(4)}, test acc ${result.accuracy.toFixed(3)} (${result.samples} samples)`);
    out.result({ loss: result.loss, accuracy: result.accuracy, samples: result.samples });
    return 0;
  } finally {
    watch.stop();
    gpu.device.destroy();
  }
}
