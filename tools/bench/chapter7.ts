/**
 * The chapter 7 sections of `npm run bench` (`--model bn-lenet`, alexnet, vgg11, nin, googlenet, resnet18,
 * densenet): the book's CNNs (d2l-zh 7.1-7.7) at the book's learning rate and batch size, trained by ours (`train
 * --model KIND`) and by PyTorch (pytorch_chapter7.py: the book's code, Xavier-uniform as train_ch6, on the CPU with
 * --threads, or CUDA with --device), both resizing the 28 px images on the fly to the same --resize.
 *
 * Two settings, printed by --plan and kept in the report:
 * - the default, sized for a 2-core CPU adapter (lavapipe): BN-LeNet as the book trains it (28 px, all 60,000
 *   samples), ResNet-18 as issue 23 measures it (28 px, 10,000 samples), the others at the smallest size their
 *   windows allow (the book's 28 where they take it) on a few thousand samples: minutes an epoch, not hours;
 * - --gpu-setting (what tools/gpu-bench/run passes on a GPU): the book's size on every sample and test image, one
 *   timed epoch. PyTorch on the CPU is left out there (hours an epoch at 224 px): PyTorch CUDA is the peer.
 * --resize and --limit (--train-count) change either. No TensorFlow.js or jax-js peer is written for these models.
 */
import { type LayerDecl, outputShape } from '../../src/nn/declare.js';
import { alexnetModel } from '../../src/nn/models/alexnet.js';
import type { BookDefinition } from '../../src/nn/models/book.js';
import { bnLenetModel } from '../../src/nn/models/bn_lenet.js';
import { densenetModel } from '../../src/nn/models/densenet.js';
import { googlenetModel } from '../../src/nn/models/googlenet.js';
import { ninModel } from '../../src/nn/models/nin.js';
import { resnetModel } from '../../src/nn/models/resnet.js';
import { vggModel } from '../../src/nn/models/vgg.js';
import { ChildContender } from './child.js';
import { benchScript } from './mlp.js';
import { OursContender } from './ours.js';
import { BENCH_PYTHON } from './peers.js';
import { type ContenderEntry, DEFAULT_SECTION_OPTIONS, type Section, type SectionOptions, type Target } from './section.js';

/** The default setting of a model: the side its images are resized to and the training samples of an epoch. */
interface CpuSetting {
  resize: number;
  train: number;
}

/** Multiply-adds of one sample's forward pass through `layer` (convolutions and linear layers) given its input shape. */
export function forwardMacs(layer: LayerDecl, input: readonly number[]): number {
  switch (layer.type) {
    case 'Conv2d': {
      const [c, h, w] = outputShape(layer, input);
      return c * h * w * layer.inChannels * layer.kernelSize * layer.kernelSize;
    }
    case 'Linear':
      return layer.inFeatures * layer.outFeatures;
    case 'Sequential': {
      let shape = [...input];
      let n = 0;
      for (const l of layer.layers) {
        n += forwardMacs(l, shape);
        shape = outputShape(l, shape);
      }
      return n;
    }
    case 'Residual':
      return forwardMacs(layer.body, input) + (layer.shortcut ? forwardMacs(layer.shortcut, input) : 0);
    case 'Concat':
      return layer.branches.reduce((n, b) => n + forwardMacs(b, input), 0);
    default:
      return 0;
  }
}

/**
 * Flops per training sample: forward, input gradient and weight gradient of every convolution and linear layer
 * (3x the forward multiply-adds, 2 flops each), less the first layer's input gradient, which is not computed.
 */
export function trainingFlops(net: LayerDecl & { type: 'Sequential' }, input: readonly number[]): number {
  let first: LayerDecl = net;
  while (first.type === 'Sequential') first = first.layers[0];
  return 2 * (3 * forwardMacs(net, input) - forwardMacs(first, input));
}

/** The chapter 7 models with their default (CPU adapter) setting; the rest of each comes from its model file. */
const MODELS: Array<[BookDefinition, CpuSetting]> = [
  [alexnetModel, { resize: 65, train: 2_048 }],
  [vggModel, { resize: 32, train: 4_096 }],
  [ninModel, { resize: 67, train: 2_048 }],
  [googlenetModel, { resize: 28, train: 4_096 }],
  [bnLenetModel, { resize: 28, train: 60_000 }],
  [resnetModel, { resize: 28, train: 10_000 }],
  [densenetModel, { resize: 32, train: 8_192 }],
];

/** The PyTorch targets of issue 23 (ours / PyTorch on 1 CPU thread, per epoch); the other models' are for reference. */
const CPU_TARGETS: Record<string, number> = { 'bn-lenet': 2, resnet18: 3 };

/** The section of one chapter 7 model. */
function chapter7Section(definition: BookDefinition, cpu: CpuSetting): Section {
  const { kind, book } = definition;
  const resize = (opts: SectionOptions) => opts.resize ?? (opts.gpuSetting ? book.resize : cpu.resize);
  const network = (opts: SectionOptions) => definition.declareNetwork(1, 10, { resize: resize(opts) });
  const flops = (opts: SectionOptions) => {
    const { net, input } = network(opts);
    return trainingFlops(net, input);
  };
  const target = CPU_TARGETS[kind];
  const cpuTarget: Target = target ? { what: `ours <= ${target}x PyTorch CPU, 1 thread`, peer: 'pytorch-cpu', limit: target } : { what: '(for reference) ours vs PyTorch CPU', peer: 'pytorch-cpu', limit: 1 };
  return {
    model: kind,
    description: `${definition.summary}; lr ${book.lr}, batch ${book.batchSize}, the book's size ${book.resize} px`,
    flopPerSample: flops({ ...DEFAULT_SECTION_OPTIONS }),
    flops,
    flopNote: '(flops per sample: forward, input gradient and weight gradient of the convolutions and linear layers at the run\'s --resize; pooling, BatchNorm and activations not counted)',
    defaultEpochs: 1,
    gpuEpochs: 1,
    // Ours compiles every pipeline in setup and PyTorch takes one untimed step there: no warm-up epoch is needed.
    defaultWarmup: 0,
    lr: () => book.lr,
    batchSize: () => book.batchSize,
    samples: (opts) => (opts.gpuSetting ? {} : { train: cpu.train, test: Math.min(10_000, cpu.train) }),
    contenders: (opts) => {
      const size = resize(opts);
      const ours: ContenderEntry = { name: `ours ${kind}`, role: 'ours', make: () => new OursContender(`ours ${kind}`, { model: kind, modelOptions: { resize: size } }) };
      const pytorch = opts.devices.map((device): ContenderEntry => {
        const name = `pytorch-${device} ${kind}`;
        const args = [benchScript('pytorch_chapter7.py'), `--model=${kind}`, `--resize=${size}`, `--device=${device}`, `--threads=${opts.threads}`];
        const slow = device === 'cpu' && opts.gpuSetting && opts.resize === undefined;
        return {
          name,
          role: 'peer',
          ...(slow ? { leftOut: `--gpu-setting: PyTorch on ${opts.threads} CPU thread(s) takes hours an epoch at ${size} px; PyTorch CUDA is the peer there` } : {}),
          make: () => new ChildContender(name, { command: BENCH_PYTHON, args, optional: true }),
        };
      });
      const unwritten = (name: string): ContenderEntry => ({
        name,
        role: 'peer',
        leftOut: 'not written for the chapter 7 models: PyTorch, the book\'s own code, is their peer',
        make: () => {
          throw new Error(`${name} is not written`);
        },
      });
      return [ours, ...pytorch, unwritten(`tfjs-webgpu ${kind}`), unwritten(`jax-js-webgpu ${kind}`)];
    },
    targets: [cpuTarget, { what: '(for reference) ours vs PyTorch CUDA', peer: 'pytorch-cuda', limit: 1 }],
    settings: (opts) => ({ setting: opts.gpuSetting ? 'gpu' : 'cpu', resize: String(resize(opts)), batch: String(book.batchSize), lr: String(book.lr) }),
  };
}

/** The chapter 7 sections, in the book's order (7.1-7.7, as the registry lists them). */
export const CHAPTER7_SECTIONS: Section[] = MODELS.map(([definition, cpu]) => chapter7Section(definition, cpu));
