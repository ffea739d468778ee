import { loadFashionMnist } from '../data/node.js';
import { UsageError } from '../errors.js';
import { createNodeGpu } from '../gpu/node.js';
import { loadCheckpoint } from '../model/checkpoint_file.js';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_SHAPE } from '../data/dataset.js';
import { checkModelFitsData, describeModel } from '../model/registry.js';
import { sheetFromEvaluation } from '../report/from_training.js';
import { writePng } from '../report/png.js';
import { SHEET_DEFAULTS, sheetLayout } from '../report/sheet.js';
import { evaluateParameters } from '../train/evaluate.js';
import { checkOutput } from '../io/files.js';
import { parseFlags, usageHint } from './args.js';
import { checkPictureSize } from './pictures.js';
import { Output } from './output.js';

export const sheetSpec = {
  usage: 'webgpu-softmax sheet --model PATH --out FILE.png [flags]',
  summary:
    'Draw a PNG grid of test images with their true label and the predicted label (with its probability) under\n' +
    'each, wrong predictions in red. Predictions come from the GPU forward pass, as in training.',
  flags: {
    model: { type: 'string' as const, placeholder: 'PATH', help: 'checkpoint file, or the directory train --out wrote' },
    out: { type: 'string' as const, placeholder: 'FILE', help: 'PNG file to write' },
    count: { type: 'int' as const, default: SHEET_DEFAULTS.count, min: 1, max: 10000, help: 'images on the sheet' },
    columns: { type: 'int' as const, default: SHEET_DEFAULTS.columns, min: 1, max: 100, help: 'images per row' },
    scale: { type: 'int' as const, default: SHEET_DEFAULTS.scale, min: 1, max: 16, help: 'integer upscale of each 28x28 image' },
    onlyWrong: { type: 'boolean' as const, help: 'show only misclassified images' },
    seed: { type: 'int' as const, min: 0, max: 4294967295, help: 'pick the images at random with this seed (default: the first test images)' },
    data: { type: 'string' as const, placeholder: 'DIR', help: 'Fashion-MNIST directory (same search order as train)' },
    verbose: { type: 'boolean' as const, help: 'print stack traces on errors' },
  },
  examples: ['webgpu-softmax sheet --model runs/scratch --out sheet.png', 'webgpu-softmax sheet --model runs/scratch --out wrong.png --only-wrong --seed 1'],
};

export async function sheetCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(sheetSpec, argv, console.log);
  if (!flags) return 0;
  if (!flags.model || !flags.out) throw new UsageError('sheet needs --model PATH and --out FILE.png (see `webgpu-softmax sheet --help`)');
  // Before any data or GPU work: the picture's size (the most tiles asked for) and the place it goes.
  checkPictureSize(sheetLayout({ count: flags.count, columns: flags.columns, scale: flags.scale }), flags, usageHint(sheetSpec));
  checkOutput(flags.out, 'PNG');
  const out = new Output(false);
  const checkpoint = loadCheckpoint(flags.model);
  const data = await loadFashionMnist({ root: flags.data });
  checkModelFitsData(checkpoint.path, checkpoint.meta.model, FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES);
  const gpu = await createNodeGpu();
  try {
    const evaluation = await evaluateParameters(gpu, data.test, checkpoint.meta.model, checkpoint.params);
    const image = sheetFromEvaluation(data.test, evaluation, { count: flags.count, columns: flags.columns, scale: flags.scale, onlyWrong: flags.onlyWrong, seed: flags.seed });
    await writePng(flags.out, image);
    out.line(`wrote ${flags.out} (${image.width}x${image.height}); test acc ${evaluation.accuracy.toFixed(3)}`);
    return 0;
  } finally {
    gpu.device.destroy();
  }
}
