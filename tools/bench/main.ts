/**
 * `npm run bench -- [--model softmax|mlp|lenet|bn-lenet|resnet18|...] [flags]`: one model trained by every contender
 * in ONE run: ours (WGSL through WebGPU) and its peers (PyTorch on the CPU or CUDA, TensorFlow.js webgpu and wasm,
 * jax-js webgpu, on the same dawn.node adapter as ours). The sections (softmax.ts, mlp.ts, lenet.ts, chapter7.ts)
 * say who trains what; section.ts
 * picks the contenders (--only, --no-peers, --no-reference) and runs them the same way for every model; the
 * report, printed as a markdown table and written with --json PATH, has one schema (schema.ts) for all of them.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { renameOptions } from '../../src/errors.js';
import { createNodeGpu } from '../../src/gpu/node.js';
import { CHAPTER7_SECTIONS } from './chapter7.js';
import { loadBenchData } from './contender.js';
import { lenetSection } from './lenet.js';
import { DEFAULT_MATMUL_SIZES, DEFAULT_MATMUL_TIMING, formatMatmul, matmulPassed, parseMatmulSizes, parseMatmulTiles, runMatmulBench } from './matmul.js';
import { mlpSection } from './mlp.js';
import { DEFAULT_SECTION_OPTIONS, formatSelection, runSection, type Section, type SectionOptions, selectContenders, unknownOnlyWords } from './section.js';
import { softmaxSection } from './softmax.js';
import { formatSweep, sweepFusedShapes } from './sweep.js';
import { formatDenseSweep, sweepDenseTiles } from './dense_sweep.js';
import { MODEL_KINDS } from '../../src/model/registry.js';

// The model sections this bench knows; `--list-models` prints the names, one a line (tools/gpu-bench/run runs the
// bench once per name). A new model adds its section here.
const SECTIONS: Record<string, Section> = { softmax: softmaxSection, mlp: mlpSection, lenet: lenetSection, ...Object.fromEntries(CHAPTER7_SECTIONS.map((s) => [s.model, s])) };
const CHAPTER7 = new Set(CHAPTER7_SECTIONS.map((s) => s.model));

const USAGE = `usage: npm run bench -- [flags]            (npm run bench -- lenet [flags]: the same as --model lenet)

  --model NAME      which model to train: ${Object.keys(SECTIONS).join(', ')} (default softmax; --list-models)
  --list-models     print the model names this bench knows, one a line, and exit; with --cpu-adapter only those
                    a CPU adapter (lavapipe) benches in about a minute (not chapter 7's: minutes even reduced)
  --plan            print which contenders would run and which are left out (and why), and exit: nothing is
                    trained, no data is loaded, no peer is started
  --epochs N        timed epochs per contender after the warm-up (default 3; lenet and chapter 7's models 1)
  --warmup N        untimed epochs first (default 1: the first epoch also compiles the kernels; chapter 7's
                    models 0: their setup compiles them, and PyTorch takes one untimed step there)
  --quick           smoke run: 1 timed epoch, no warm-up, 6,000 training samples
  --only A,B        besides ours, only the contenders whose name contains any of these words (e.g. pytorch,wasm;
                    jax for the jax-js peer); the same for every model (see --plan)
  --no-peers        only our own contenders
  --no-reference    leave out the CPU reference trainer (softmax; the slowest)
  --train-count N   training samples (default all 60,000; chapter 7's models: their setting's); --limit N is the same
  --resize N        chapter 7's models: the side the images are resized to, for ours and PyTorch alike (default:
                    the setting's; the book's is 28 for bn-lenet, 96 for googlenet, resnet18 and densenet, 224
                    for alexnet, vgg11 and nin)
  --gpu-setting     the setting for a GPU machine (tools/gpu-bench/run passes it there): chapter 7's models at the
                    book's size on every sample and test image, PyTorch CPU left out for them (hours an epoch);
                    timed epochs 1 for chapter 7's models, 3 for the others. Without it chapter 7's models run a
                    setting sized for a 2-core CPU adapter: bn-lenet 28 px on 60,000 samples, resnet18 28 px on
                    10,000, the others their smallest size on 2,048-8,192 (--plan shows it)
  --activation A    lenet: sigmoid (default, lr 0.9) or relu (lr 0.1)
  --pool P          lenet: avg (default) or max
  --profile         also time every kernel of one epoch of ours (timestamp queries)
  --device cpu|cuda PyTorch's device, or both (cpu,cuda): one PyTorch contender each
  --threads N       PyTorch's CPU threads (default 1: steadiest on a 2-core machine)
  --compile         PyTorch (softmax): also try torch.compile
  --json PATH       write the report as JSON (tools/bench/schema.ts)
  --sweep           instead of the contenders: pick this adapter's kernel shapes, in two parts, and print the best
                    with the line that adopts it: the fused softmax kernels' shapes (FUSED_SHAPES: 1 warm-up +
                    --epochs timed epochs per candidate; --quick: 1 epoch on 6,000 samples), then the dense
                    template's tiles (MLP_TILES: register tiles, subgroup shuffles, workgroup memory) timed on
                    every model's dense kernels, the workgroup-memory tile on its convolutions as implicit GEMM
                    too (tools/bench/dense_sweep.ts, conv_problems.ts)
  --sweep-only fused|dense         one part of the sweep
  --sweep-forward-workgroups A,B   --sweep-rows A,B   --sweep-update-workgroups A,B
                    the fused kernels' candidates (default: a set for the adapter's kind, CPU driver or GPU)
  --sweep-models A,B               the models whose dense kernels and convolutions are swept (default
                    all, or on a CPU adapter those not of chapter 7): ${MODEL_KINDS.join(', ')}
  --sweep-seconds S the dense part times no new candidate after S seconds (the shipped tiles always are)
  --matmul          instead of the contenders: the matmul micro-benchmark (also npm run bench:matmul): GFLOP/s of
                    each shape of the dense contraction template (register tiles, workgroup memory, subgroup
                    shuffles where the adapter has them) for forward, input_grad and weight_grad at each size, each
                    checked once against a CPU product, next to the CPU's BLAS on --threads threads (numpy or
                    PyTorch through BENCH_PYTHON) in the same run; --json PATH writes it (tools/bench/matmul.ts)
  --matmul-sizes MxKxN,...   the sizes (default ${DEFAULT_MATMUL_SIZES.map((s) => `${s.M}x${s.K}x${s.N}`).join(',')})
  --matmul-batches N         timed batches per kernel, the figure their median (default ${DEFAULT_MATMUL_TIMING.batches})
  --matmul-batch-ms MS       dispatches per batch chosen to last about this long (default ${DEFAULT_MATMUL_TIMING.batchMs})
  --matmul-tiles T,...|all|none  the workgroup-memory tiles timed in a second table, GFLOP/s each, with the
                    one to set as MLP_TILES' tiled: rows x cols x depth[/block rows x block cols], e.g.
                    64x64x8,128x128x8/8x8 (default: all, the dense sweep's candidates, on a GPU; none on a CPU
                    driver, which never takes that shape; a tile past the adapter's limits shows as n/a)
  -h, --help        this help

Every run prints the load average at its start and end, and a warning when the machine was busy.`;

/** A bad flag: one line on stderr, exit 2. */
class BenchUsageError extends Error {}

const wholeNumber = (flag: string, value: string | undefined, min: number): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new BenchUsageError(`${flag} needs a whole number >= ${min}, not ${value} (see --help)`);
  return n;
};

async function main(argv: string[]): Promise<number> {
  // `npm run bench -- lenet [flags]` (and npm run bench:lenet): the LeNet section's older spelling.
  if (argv[0] === 'lenet') argv = ['--model', 'lenet', ...argv.slice(1)];
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string', default: 'softmax' },
      'list-models': { type: 'boolean' },
      plan: { type: 'boolean' },
      epochs: { type: 'string' },
      warmup: { type: 'string' },
      quick: { type: 'boolean' },
      only: { type: 'string' },
      'no-peers': { type: 'boolean' },
      'no-reference': { type: 'boolean' },
      'train-count': { type: 'string' },
      limit: { type: 'string' },
      resize: { type: 'string' },
      'gpu-setting': { type: 'boolean' },
      'cpu-adapter': { type: 'boolean' },
      activation: { type: 'string' },
      pool: { type: 'string' },
      profile: { type: 'boolean' },
      device: { type: 'string', default: 'cpu' },
      threads: { type: 'string', default: '1' },
      compile: { type: 'boolean' },
      json: { type: 'string' },
      sweep: { type: 'boolean' },
      'sweep-forward-workgroups': { type: 'string' },
      'sweep-rows': { type: 'string' },
      'sweep-update-workgroups': { type: 'string' },
      'sweep-only': { type: 'string' },
      'sweep-models': { type: 'string' },
      'sweep-seconds': { type: 'string' },
      matmul: { type: 'boolean' },
      'matmul-sizes': { type: 'string' },
      'matmul-batches': { type: 'string' },
      'matmul-batch-ms': { type: 'string' },
      'matmul-tiles': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values['list-models']) {
    console.log(Object.keys(SECTIONS).filter((name) => !(values['cpu-adapter'] && CHAPTER7.has(name))).join('\n'));
    return 0;
  }
  if (values.matmul) return matmulCommand(values);
  for (const flag of ['matmul-sizes', 'matmul-batches', 'matmul-batch-ms', 'matmul-tiles'] as const) {
    if (values[flag] !== undefined) throw new BenchUsageError(`--${flag} goes with --matmul (see --help)`);
  }
  if (values['cpu-adapter']) throw new BenchUsageError('--cpu-adapter goes with --list-models (see --help)');
  const section = SECTIONS[values.model];
  if (!section) throw new BenchUsageError(`unknown --model ${values.model}: this bench knows ${Object.keys(SECTIONS).join(', ')} (see --help)`);
  const devices = values.device.split(',');
  if (devices.length === 0 || devices.some((d) => d !== 'cpu' && d !== 'cuda')) throw new BenchUsageError(`--device takes cpu, cuda or cpu,cuda, not ${values.device} (see --help)`);
  if (section !== lenetSection && (values.activation || values.pool)) throw new BenchUsageError(`--activation and --pool are LeNet's: add --model lenet (see --help)`);
  const activation = values.activation ?? DEFAULT_SECTION_OPTIONS.activation;
  const pool = values.pool ?? DEFAULT_SECTION_OPTIONS.pool;
  if (activation !== 'sigmoid' && activation !== 'relu') throw new BenchUsageError(`--activation takes sigmoid or relu, not ${activation} (see --help)`);
  if (pool !== 'avg' && pool !== 'max') throw new BenchUsageError(`--pool takes avg or max, not ${pool} (see --help)`);
  if (!CHAPTER7.has(section.model) && values.resize !== undefined) throw new BenchUsageError(`--resize is for chapter 7's models (${[...CHAPTER7].join(', ')}), not ${section.model} (see --help)`);
  const sectionOptions: SectionOptions = {
    devices: devices as Array<'cpu' | 'cuda'>,
    threads: wholeNumber('--threads', values.threads, 1)!,
    compile: Boolean(values.compile),
    activation,
    pool,
    resize: wholeNumber('--resize', values.resize, 1),
    gpuSetting: Boolean(values['gpu-setting']),
  };
  try {
    section.flops?.(sectionOptions); // declares the network: a --resize too small for its windows is refused here
  } catch (err) {
    throw new BenchUsageError(`${renameOptions((err as Error).message, (key) => `--${key}`)} (see --help)`);
  }
  const epochsDefault = sectionOptions.gpuSetting ? (section.gpuEpochs ?? 3) : section.defaultEpochs;
  const timedEpochs = values.quick ? 1 : (wholeNumber('--epochs', values.epochs, 1) ?? epochsDefault);
  const warmupEpochs = values.quick ? 0 : (wholeNumber('--warmup', values.warmup, 0) ?? section.defaultWarmup ?? 1);
  const limit = wholeNumber('--limit', values.limit, 1);
  const given = wholeNumber('--train-count', values['train-count'], 1);
  if (limit !== undefined && given !== undefined && limit !== given) throw new BenchUsageError(`--limit ${limit} and --train-count ${given} are one setting: give one (see --help)`);
  const trainCount = given ?? limit ?? (values.quick ? 6000 : undefined);
  const only = values.only ? values.only.split(',').filter(Boolean) : [];
  // Checked against every section's names, before any data is loaded: a word no contender has is a typo.
  if (only.length > 0 && unknownOnlyWords(only, Object.values(SECTIONS), sectionOptions).length === only.length) {
    throw new BenchUsageError(`--only ${values.only}: no contender's name contains any of these words (see --plan)`);
  }
  const select = { only, peers: !values['no-peers'], reference: !values['no-reference'] };
  if (values.plan) {
    console.log(formatSelection(section, selectContenders(section.contenders(sectionOptions), select), sectionOptions));
    const samples = trainCount ?? section.samples?.(sectionOptions).train;
    console.log(`epochs: ${warmupEpochs} warm-up + ${timedEpochs} timed, ${samples === undefined ? 'all the' : samples.toLocaleString('en-US')} training samples`);
    return 0;
  }

  const sweepOnly = values['sweep-only'];
  if (!values.sweep && (sweepOnly !== undefined || values['sweep-models'] !== undefined || values['sweep-seconds'] !== undefined)) throw new BenchUsageError('--sweep-only, --sweep-models and --sweep-seconds go with --sweep (see --help)');
  if (values.sweep) {
    if (section !== softmaxSection) throw new BenchUsageError('--sweep times the fused softmax kernels and every model\'s dense kernels: it takes no --model (see --help)');
    if (sweepOnly !== undefined && sweepOnly !== 'fused' && sweepOnly !== 'dense') throw new BenchUsageError(`--sweep-only takes fused or dense, not ${sweepOnly} (see --help)`);
    const models = values['sweep-models']?.split(',').filter(Boolean);
    const unknown = models?.filter((m) => !MODEL_KINDS.includes(m)) ?? [];
    if (unknown.length) throw new BenchUsageError(`--sweep-models: unknown model ${unknown.join(', ')} (the models are ${MODEL_KINDS.join(', ')})`);
    const seconds = wholeNumber('--sweep-seconds', values['sweep-seconds'], 1);
    // The JSON: the fused part's fields at the top (as before the dense part existed), the dense part under `dense`.
    let report: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
    if (sweepOnly !== 'dense') {
      const data = await loadBenchData({ trainCount });
      const list = (flag: string) => (values[flag as keyof typeof values] as string | undefined)?.split(',').map(Number);
      const result = await sweepFusedShapes(data, {
        epochs: timedEpochs,
        forwardWorkgroups: list('sweep-forward-workgroups'),
        rows: list('sweep-rows'),
        updateWorkgroups: list('sweep-update-workgroups'),
      });
      console.log(formatSweep(result));
      report = { ...report, ...result };
    }
    if (sweepOnly !== 'fused') {
      const gpu = await createNodeGpu();
      try {
        const dense = await sweepDenseTiles(gpu, { models, seconds, chapter7: [...CHAPTER7] });
        if (sweepOnly !== 'dense') console.log('');
        console.log(formatDenseSweep(dense));
        report.dense = dense;
      } finally {
        gpu.device.destroy();
      }
    }
    if (values.json) {
      writeFileSync(values.json, JSON.stringify(report, null, 2));
      console.error(`wrote ${values.json}`);
    }
    return 0;
  }

  await runSection(section, { ...select, timedEpochs, warmupEpochs, trainCount, profile: values.profile, json: values.json, section: sectionOptions });
  return 0;
}

/** --matmul: the micro-benchmark, printed as markdown (and written as JSON with --json). */
async function matmulCommand(values: { 'matmul-sizes'?: string; 'matmul-batches'?: string; 'matmul-batch-ms'?: string; 'matmul-tiles'?: string; threads: string; json?: string; sweep?: boolean }): Promise<number> {
  if (values.sweep) throw new BenchUsageError('--matmul and --sweep are two runs: give one (see --help)');
  let sizes;
  let tiles;
  try {
    sizes = values['matmul-sizes'] === undefined ? undefined : parseMatmulSizes(values['matmul-sizes']);
    tiles = values['matmul-tiles'] === undefined ? undefined : parseMatmulTiles(values['matmul-tiles']);
  } catch (err) {
    throw new BenchUsageError(`${(err as Error).message} (see --help)`);
  }
  const timing = { batches: wholeNumber('--matmul-batches', values['matmul-batches'], 1), batchMs: wholeNumber('--matmul-batch-ms', values['matmul-batch-ms'], 1) };
  const gpu = await createNodeGpu();
  try {
    const report = await runMatmulBench(gpu, {
      sizes,
      tiles,
      timing: Object.fromEntries(Object.entries(timing).filter(([, v]) => v !== undefined)),
      threads: wholeNumber('--threads', values.threads, 1)!,
    });
    console.log(formatMatmul(report));
    if (values.json) {
      writeFileSync(values.json, JSON.stringify(report, null, 2));
      console.error(`wrote ${values.json}`);
    }
    // A wrong kernel, or one that failed to build, fails the run.
    return matmulPassed(report) ? 0 : 1;
  } finally {
    gpu.device.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(err instanceof BenchUsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1);
  },
);
