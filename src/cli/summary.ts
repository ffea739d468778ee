import { FASHION_MNIST_CLASSES, FASHION_MNIST_SHAPE } from '../data/dataset.js';
import { UsageError } from '../errors.js';
import { MODEL_KINDS, modelDefaults, modelDefinition } from '../model/registry.js';
import { shapeWalk, trainableCount } from '../nn/declare.js';
import { BINDING_LIMIT, chunkCaveat, chunksText, largestActivation, mib, trainingBytes } from '../nn/memory.js';
import { isNetworkDefinition } from '../nn/model.js';
import { TRAINING_LIMITS } from '../train/limits.js';
import { parseFlags, usageHint } from './args.js';
import { givenModelOptions, modelOptionFlags } from './option_flags.js';
import { Output } from './output.js';

/** The models declared as layers (chapter 7's), which summary can walk. */
const NETWORK_KINDS = MODEL_KINDS.filter((kind) => isNetworkDefinition(modelDefinition(kind)));
/** The options those models read (their schemas', as train's flags). */
const OPTION_FLAGS = modelOptionFlags(NETWORK_KINDS.map(modelDefinition));

export const summarySpec = {
  usage: 'webgpu-softmax summary --model M [flags]',
  summary:
    "The book's shape walk of a model (each top-level layer's output shape for one image, as d2l prints it), its\n" +
    'parameters per layer and in all, and the GPU memory its training takes at a batch size. No GPU needed.',
  flags: {
    model: { type: 'choice' as const, choices: NETWORK_KINDS, help: 'the model to walk' },
    ...OPTION_FLAGS,
    batchSize: { type: 'int' as const, ...TRAINING_LIMITS.batchSize, help: "the batch size of the memory figure (default the model's)" },
    json: { type: 'boolean' as const, help: 'print one JSON object on stdout: {"parameters", "layers": [{"name", "output", "parameters"}], "bytes"}' },
    verbose: { type: 'boolean' as const, help: 'print stack traces on errors' },
  },
  examples: ['webgpu-softmax summary --model resnet18', 'webgpu-softmax summary --model vgg11 --width-divisor 1 --json'],
};

export async function summaryCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(summarySpec, argv, console.log);
  if (!flags) return 0;
  if (!flags.model) throw new UsageError(`summary needs --model M (one of ${NETWORK_KINDS.join(', ')}) (see \`webgpu-softmax summary --help\`)`);
  const definition = modelDefinition(flags.model);
  if (!isNetworkDefinition(definition)) throw new UsageError(`model ${flags.model} is not declared as layers (see \`webgpu-softmax summary --help\`)`);
  const options = givenModelOptions(definition, Object.keys(OPTION_FLAGS), flags, usageHint(summarySpec));
  const spec = definition.spec(FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES, options);
  const batchSize = flags.batchSize ?? modelDefaults(spec).batchSize;
  const { net, input } = definition.network(spec);
  const layers = shapeWalk(net, input).map((row) => ({ name: row.name, output: [1, ...row.output], parameters: row.parameters }));
  const parameters = trainableCount(net, input);
  const memory = trainingBytes(net, input, spec.classes, batchSize);
  const bytes = memory.total;
  const out = new Output(flags.json);
  const width = Math.max(...layers.map((l) => l.name.length));
  out.line(`${definition.kind}, input [1, ${input.join(', ')}]`);
  for (const l of layers) out.line(`${l.name.padEnd(width)} output shape: [${l.output.join(', ')}]${l.parameters > 0 ? `  ${l.parameters.toLocaleString('en-US')} parameters` : ''}`);
  out.line(`parameters: ${parameters.toLocaleString('en-US')}`);
  out.line(`GPU memory to train at batch size ${batchSize}: ${(bytes / 2 ** 20).toFixed(1)} MiB (parameters, activations, gradients; not the dataset or an optimizer's state)`);
  const problem = definition.problem?.(spec, batchSize);
  if (problem) out.line(`note: ${problem}`);
  else if (memory.chunkRows < batchSize) {
    const { values, where } = largestActivation(net, input);
    const past = `${where} is ${mib(batchSize * values * 4)}, past the ${mib(BINDING_LIMIT)} a storage binding holds`;
    out.line(`note: at batch size ${batchSize}, ${past}: each batch trains in ${chunksText(batchSize, memory.chunkRows, chunkCaveat(net))}`);
  }
  out.result({ parameters, layers, bytes });
  return 0;
}
