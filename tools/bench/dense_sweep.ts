/**
 * The dense half of `npm run bench -- --sweep` (--sweep-only dense): the tiles of every shape of the dense
 * contraction template (gpu/tuning.ts MLP_TILES: register tiles per product, the subgroup shape's workgroup and
 * per-product tiles, the workgroup-memory shape's tile, and whether to take that shape) timed on this adapter at
 * every model's dense kernels and, for the workgroup-memory tile and the shape, at its convolutions as implicit
 * GEMM, which take the same tile; and the table that would adopt the fastest. It is how the first run on a new kind
 * of GPU picks that kind's MLP_TILES (tools/gpu-bench/run runs it there).
 *
 * The dense kernels of each model, deduplicated over models (modelDenseProblems):
 *   - a model declared as layers (LeNet, chapter 7's CNNs, at their default options: the book's image size and
 *     batch): every Linear of its declaration, forward and weight gradient, and the input gradient where a layer
 *     with trainables comes before it (src/nn/network.ts builds them so; its x is f32);
 *   - the others (softmax regression, the MLPs): built once on blank images with their default options, recording
 *     the dense kernels they ask for (gpu/kernel.ts watchKernels, as `webgpu-softmax kernels` does), so the first
 *     layer's u8 input is included.
 * The convolutions (conv_problems.ts modelConvProblems): every Conv2d of chapter 7's networks that the template
 * runs (not LeNet's subgroup blocks), deduplicated over models: forward, weight gradient, and input gradient where
 * the network makes it; on a CPU driver timed on 8 samples of the real image size (conv_problems.ts
 * CONV_TIMED_ROWS), on a GPU at the batch.
 * Each is timed alone (dense_kernels.ts: batches of dispatches, the median) and checked against a CPU product on
 * some of its rows (a convolution: conv2d_general's twin in some channels): a wrong candidate is reported and never
 * chosen.
 *
 * The steps, each choosing the candidate with the least geometric mean over its problems of time / the current
 * choice's time (so every model's kernels count alike, whatever their size; a candidate must be 3% faster to
 * replace the current value, MIN_GAIN), starting from the shipped table:
 *   0. every shape with the shipped tiles on every problem (where it runs; a convolution has the workgroup-memory
 *      and subgroup shapes);
 *   1. register tiles, per product (forward, input_grad, weight_grad, the u8 weight_grad): the tile at the
 *      shipped workgroup, then the workgroup at the chosen tile;
 *   2. the subgroup shape (where the adapter has one subgroup size): its workgroup over all its problems (dense
 *      and convolutions), then words (f32 weight_grad, and the convolutions' weight gradient, whose TV it is),
 *      chunks (u8 weight_grad) and values of k per lane (the dense input_grad);
 *   3. the workgroup-memory shape's tile (MlpTiles.tiled, one for every product and for the convolutions as
 *      implicit GEMM): the candidates that fit this adapter's limits (kernels/tiles.ts tiledLimitProblem), over
 *      all its problems, the dense ones and the convolutions, with the GFLOP/s of each. Where the shipped table
 *      takes that shape (a GPU's), this step runs first, so that --sweep-seconds is spent on the shape training
 *      takes there;
 *   4. the shapes with the chosen tiles: workgroupMemory where the workgroup-memory tiles beat the best of the
 *      others over the dense kernels and the convolutions (whose shape the same field picks), subgroups.enabled
 *      where the subgroup shape beats register tiles over the dense kernels, each in geometric mean.
 * --sweep-seconds bounds the run: step 0 always completes; a step the time cuts short compares its candidates on the
 * kernels they were all timed on (each step goes kernel by kernel, every candidate on one kernel in turn), where
 * that is at least half of its kernels, and otherwise keeps its value.
 */
import { describeAdapter, type Gpu } from '../../src/gpu/device.js';
import { watchKernels } from '../../src/gpu/kernel.js';
import { DEFAULT_TILED, isCpuAdapter, type MlpTiles, mlpTilesFor, type TiledTile } from '../../src/gpu/tuning.js';
import type { BoundKernel } from '../../src/kernels/kernel.js';
import { templateShape } from '../../src/kernels/conv2d_implicit_gemm.js';
import { subgroupSize } from '../../src/kernels/subgroups.js';
import { MAX_TILE_COLS, MAX_TILE_ROWS, tiledLabel, tiledLimitProblem, tiledTileProblem } from '../../src/kernels/tiles.js';
import { fashionMnistSpec, MODEL_KINDS, modelDefaults, modelDefinition } from '../../src/model/registry.js';
import { isNetworkDefinition } from '../../src/nn/model.js';
import { Trainer } from '../../src/train/trainer.js';
import { type ContractionLayer, contractionLayers, ConvBench, type ConvProblem, convProblemFlops, convProblemName, createConvWithTiles, modelConvProblems } from './conv_problems.js';
import { type CheckResult, type Computation, createWithTiles, DenseBench, type DenseProblem, problemFlops, problemName, SHAPE_TITLES, subgroupProblem, TEMPLATE_SHAPES, type TemplateShape, type Timing, type TimingOptions } from './dense_kernels.js';

/** A dense kernel and the models that run it. */
export interface ModelDenseProblem extends DenseProblem {
  models: string[];
}

const keyOf = (p: DenseProblem) => problemName(p);

/** Every dense kernel of the models `kinds` (registry kinds, default options), deduplicated; see the file's comment. */
export async function modelDenseProblems(gpu: Gpu, kinds: readonly string[]): Promise<ModelDenseProblem[]> {
  const found = new Map<string, ModelDenseProblem>();
  const add = (p: DenseProblem, kind: string) => {
    const known = found.get(keyOf(p));
    if (!known) found.set(keyOf(p), { ...p, models: [kind] });
    else if (!known.models.includes(kind)) known.models.push(kind);
  };
  for (const kind of kinds) {
    const definition = modelDefinition(kind);
    const spec = fashionMnistSpec(kind);
    const M = modelDefaults(spec).batchSize;
    if (isNetworkDefinition(definition)) {
      const { net, input } = definition.network(spec);
      const layers: ContractionLayer[] = [];
      contractionLayers(gpu, net, input, false, layers);
      for (const { layer, needsGrad } of layers) {
        if (layer.type !== 'Linear') continue;
        const [K, N] = [layer.inFeatures, layer.outFeatures];
        add({ computation: 'forward', M, K, N }, kind);
        if (needsGrad) add({ computation: 'input_grad', M, K, N }, kind);
        add({ computation: 'weight_grad', M, K, N }, kind);
      }
      continue;
    }
    const seen: DenseProblem[] = [];
    const stop = watchKernels(gpu, (k) => {
      // Dense layers only: a convolution's implicit GEMM (its window prologue) is not a dense problem.
      if ((k.shader !== 'linear' && k.shader !== 'linear_subgroup') || k.preludes.some((p) => p.startsWith('prelude/conv_window'))) return;
      seen.push({ computation: k.entryPoint.replace(/_tiled$/, '') as Computation, M, K: k.constants.K, N: k.constants.N, ...(k.preludes.some((p) => p.startsWith('prelude/linear_input_u8')) ? { u8: true } : {}) });
    });
    try {
      const pixels = spec.input.channels * spec.input.height * spec.input.width;
      const blank = { images: new Uint8Array(M * pixels), labels: new Uint8Array(M), count: M };
      const trainer = await Trainer.create(gpu, { train: blank, test: blank }, spec, definition.init(spec, 0), { lr: definition.defaults.lr, batchSize: M, seed: 0 });
      trainer.destroy();
    } finally {
      stop();
    }
    for (const p of seen) add(p, kind);
  }
  const order: Computation[] = ['forward', 'input_grad', 'weight_grad'];
  return [...found.values()].sort((a, b) => order.indexOf(a.computation) - order.indexOf(b.computation) || Number(Boolean(b.u8)) - Number(Boolean(a.u8)) || b.K * b.N - a.K * a.N || a.M - b.M);
}

export interface DenseSweepOptions {
  /** Registry kinds; default every model (a CPU adapter: those not of chapter 7, as tools/gpu-bench/run does). */
  models?: string[];
  /** After this long no new candidate is timed (step 0 always completes). */
  seconds?: number;
  timing?: Partial<TimingOptions>;
  /** The convolution products timed (default: the models', conv_problems.ts modelConvProblems). */
  convs?: ConvProblem[];
  /** The model kinds that are chapter 7's (left out by default on a CPU adapter). */
  chapter7?: readonly string[];
  log?: (line: string) => void;
}

/** One kernel timed: a problem, a shape and the override values it was made with. */
export interface DenseMeasurement {
  problem: string;
  shape: TemplateShape;
  kernel: string;
  constants: Record<string, number>;
  /** Median ms per dispatch; null when it failed (error says why). */
  ms: number | null;
  gflops: number | null;
  /** Its output matched the CPU product. */
  ok: boolean;
  error: string | null;
}

export interface DenseCandidate {
  label: string;
  /** The MlpTiles value this candidate sets, as JSON. */
  value: unknown;
  /**
   * Geometric mean of time / the step's first candidate's over the step's problems that every candidate was timed on
   * (all of them unless the --sweep-seconds bound cut the step short); null when that is fewer than half of them.
   */
  ratio: number | null;
  /** The step's floating-point operations over its time summed over those problems, in GFLOP/s; null with `ratio`. */
  gflops: number | null;
  /** How many of the step's problems `ratio` and `gflops` cover (0 where they are null). */
  kernels: number;
  wrong: boolean;
  chosen: boolean;
}

export interface DenseStep {
  name: string;
  shape: TemplateShape;
  problems: string[];
  candidates: DenseCandidate[];
}

export interface DenseSweepRow extends ModelDenseProblem {
  key: string;
  /** Per shape, the ms per dispatch with the shipped tiles and with the adopted ones (null: not run or failed). */
  shipped: Record<TemplateShape, number | null>;
  adopted: Record<TemplateShape, number | null>;
  /** The shape kernels/linear.ts's auto choice takes with the shipped table, and with the adopted one. */
  autoShipped: TemplateShape;
  autoAdopted: TemplateShape;
}

/** A row's times: per shape, the ms per dispatch with the shipped tiles and with the adopted ones (null: not run or failed). */
interface SweepRowTimes {
  key: string;
  shipped: Record<TemplateShape, number | null>;
  adopted: Record<TemplateShape, number | null>;
  autoShipped: TemplateShape | null;
  autoAdopted: TemplateShape | null;
}

/** A convolution product (conv_problems.ts): its times in the template's workgroup-memory and subgroup shapes (register: null). */
export interface ConvSweepRow extends ConvProblem, SweepRowTimes {
  /** The shape createConvGemm takes with the shipped table, and with the adopted one; null: conv2d_general (not timed). */
  autoShipped: TemplateShape | null;
  autoAdopted: TemplateShape | null;
}

export interface DenseSweepResult {
  adapter: string;
  kind: 'cpu' | 'gpu';
  subgroupSize: number | null;
  models: string[];
  timing: TimingOptions;
  seconds: number;
  /** The --sweep-seconds bound stopped the run before every candidate was timed. */
  timeUp: boolean;
  rows: DenseSweepRow[];
  /** The convolutions as implicit GEMM, at the rows conv_problems.ts times. */
  convRows: ConvSweepRow[];
  steps: DenseStep[];
  measurements: DenseMeasurement[];
  shipped: MlpTiles;
  adopted: MlpTiles;
  /** Geometric mean over the problems of (auto's shape with the adopted table) / (with the shipped table). */
  ratioToShipped: number;
  /** Geometric means behind the shape choice: tiled / the best other shape, subgroup / register (null: not measurable). */
  shapeRatios: { workgroupMemory: number | null; subgroups: number | null };
}

/**
 * The workgroup-memory tiles a GPU is swept over (MlpTiles.tiled), where its limits allow: larger output tiles share
 * each staged value among more invocations, shallower slices leave room for them in workgroup memory, and 8 x 8
 * blocks read fewer vec4s of workgroup memory per multiply-add. 128x64x8 with 4 x 4 blocks needs 512 invocations,
 * past WebGPU's default limit of 256 (the device asks for the adapter's).
 */
export const TILED_CANDIDATES: readonly TiledTile[] = [
  DEFAULT_TILED,
  { rows: 64, cols: 64, depth: 16, blockRows: 4, blockCols: 4 },
  { rows: 64, cols: 64, depth: 8, blockRows: 4, blockCols: 4 },
  { rows: 32, cols: 64, depth: 16, blockRows: 4, blockCols: 4 },
  { rows: 64, cols: 32, depth: 16, blockRows: 4, blockCols: 4 },
  { rows: 128, cols: 64, depth: 8, blockRows: 4, blockCols: 4 },
  { rows: 64, cols: 64, depth: 16, blockRows: 8, blockCols: 8 },
  { rows: 128, cols: 64, depth: 16, blockRows: 8, blockCols: 4 },
  { rows: 128, cols: 128, depth: 8, blockRows: 8, blockCols: 8 },
];

/**
 * Candidates per adapter kind: a CPU driver wants big register blocks and small workgroups; a GPU the opposite. A
 * CPU driver never takes the workgroup-memory shape (MLP_TILES.cpu.workgroupMemory): a few of its tiles, timed so
 * that the step runs there too.
 */
const CANDIDATES = {
  cpu: { tiles: [[8, 4], [4, 4], [8, 8], [4, 8]], workgroups: [32, 64, 128], u8Tiles: [[2, 4], [1, 4], [4, 4]], sgWorkgroups: [32, 64], sg: [1, 2, 4], tiled: TILED_CANDIDATES.filter((t) => t.rows === 64 && t.cols === 64 && t.depth === 8) },
  gpu: { tiles: [[2, 2], [4, 4], [8, 4], [4, 8], [8, 8], [2, 4]], workgroups: [64, 128, 256], u8Tiles: [[1, 4], [2, 4], [1, 8], [2, 8], [4, 4]], sgWorkgroups: [32, 64, 128, 256], sg: [1, 2, 4], tiled: TILED_CANDIDATES },
};

export const DEFAULT_DENSE_TIMING: Record<'cpu' | 'gpu', TimingOptions> = {
  cpu: { batches: 3, batchMs: 20, maxReps: 200 },
  gpu: { batches: 3, batchMs: 10, maxReps: 500 },
};

/** A candidate replaces the current value only when its time is below this fraction of the current one's. */
export const MIN_GAIN = 0.97;

const geomean = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
const clone = (t: MlpTiles): MlpTiles => JSON.parse(JSON.stringify(t));

/** The shape kernels/linear.ts takes for `p` with table `t` (its `tiled` and `subgroupFor` rules). */
function autoShape(gpu: Gpu, p: DenseProblem, t: MlpTiles): TemplateShape {
  if (t.workgroupMemory) return 'tiled';
  return t.subgroups.enabled && subgroupProblem(gpu, p) === null ? 'subgroup' : 'register';
}

/** A kernel the sweep times: one of the dense problems (`dense`) or a convolution product (`conv`). */
interface Subject {
  key: string;
  flops: number;
  dense?: ModelDenseProblem;
  conv?: ConvProblem;
  /** Whether it runs in `shape` on this adapter. */
  runs(shape: TemplateShape): boolean;
  create(shape: TemplateShape, t: MlpTiles): Promise<BoundKernel<string>>;
  /** Its buffers and check (made once, on its first measurement). */
  bench(): Promise<{ time(k: BoundKernel<string>, o: TimingOptions): Promise<Timing>; check(k: BoundKernel<string>): Promise<CheckResult>; destroy(): void }>;
}

export async function sweepDenseTiles(gpu: Gpu, options: DenseSweepOptions = {}): Promise<DenseSweepResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const kind = isCpuAdapter(gpu.adapterInfo) ? 'cpu' : 'gpu';
  const timing = { ...DEFAULT_DENSE_TIMING[kind], ...options.timing };
  const chapter7 = new Set(options.chapter7 ?? []);
  const models = options.models ?? MODEL_KINDS.filter((k) => kind === 'gpu' || !chapter7.has(k));
  for (const m of models) modelDefinition(m); // an unknown kind fails here, naming the known ones
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const budget = options.seconds ?? Infinity;
  let timeUp = false;
  const adapter = describeAdapter(gpu.adapterInfo);
  const SG = subgroupSize(gpu);
  const maxWorkgroup = Math.min(gpu.device.limits.maxComputeInvocationsPerWorkgroup, gpu.device.limits.maxComputeWorkgroupSizeX);

  const problems = await modelDenseProblems(gpu, models);
  const convs = options.convs ?? modelConvProblems(gpu, models);
  const runs = (p: ModelDenseProblem, shape: TemplateShape) => shape !== 'subgroup' || subgroupProblem(gpu, p) === null;
  const dense: Subject[] = problems.map((p) => ({ key: keyOf(p), flops: problemFlops(p), dense: p, runs: (shape) => runs(p, shape), create: (shape, t) => createWithTiles(gpu, p, shape, t), bench: async () => new DenseBench(gpu, p) }));
  // The convolutions have the template's workgroup-memory and subgroup shapes (no register tiles).
  const conv: Subject[] = convs.map((p) => ({
    key: convProblemName(p),
    flops: convProblemFlops(p),
    conv: p,
    runs: (shape) => shape === 'tiled' || (shape === 'subgroup' && SG !== null),
    create: (shape, t) => createConvWithTiles(gpu, p, shape === 'subgroup' ? 'subgroup' : 'tiled', t),
    bench: () => ConvBench.create(gpu, p),
  }));
  const convRowsNote = convs.length ? ` and ${convs.length} convolution products (${convs[0].rows === convs[0].batch ? 'at the batch' : `${convs[0].rows} samples of the batch each`})` : '';
  log(`dense sweep on ${adapter} (${kind} kind${SG ? `, subgroups of ${SG}` : ''}): ${problems.length} dense kernels${convRowsNote} of ${models.join(', ')}; ${timing.batches} batches of ~${timing.batchMs} ms each${Number.isFinite(budget) ? `, ${budget} s` : ''}`);
  const benches = new Map<string, Awaited<ReturnType<Subject['bench']>>>();
  const measured = new Map<string, DenseMeasurement>();
  const measurements: DenseMeasurement[] = [];

  /** Times `s` in `shape` with tiles `t` (once per distinct kernel); null when the time is up. */
  const measure = async (s: Subject, shape: TemplateShape, t: MlpTiles, always = false): Promise<DenseMeasurement | null> => {
    if (!always && elapsed() > budget) {
      timeUp = true;
      return null;
    }
    let kernel: BoundKernel<string>;
    const key = s.key;
    try {
      kernel = await s.create(shape, t);
    } catch (err) {
      const m: DenseMeasurement = { problem: key, shape, kernel: '', constants: {}, ms: null, gflops: null, ok: false, error: (err as Error).message.split('\n')[0] };
      measurements.push(m);
      return m;
    }
    const id = `${key} ${shape} ${JSON.stringify(kernel.constants)}`;
    const known = measured.get(id);
    if (known) return known;
    const m: DenseMeasurement = { problem: key, shape, kernel: kernel.kernel.pipeline.label, constants: { ...kernel.constants }, ms: null, gflops: null, ok: false, error: null };
    try {
      let bench = benches.get(key);
      if (!bench) benches.set(key, (bench = await s.bench()));
      const { ms } = await bench.time(kernel, timing);
      const check = await bench.check(kernel);
      Object.assign(m, { ms, gflops: (s.flops / ms) * 1e-6, ok: check.ok, error: check.ok ? null : `wrong output (worst error ${check.worst.toExponential(1)})` });
    } catch (err) {
      m.error = (err as Error).message.split('\n')[0];
    }
    measured.set(id, m);
    measurements.push(m);
    return m;
  };
  const models_ = (s: Subject) => (s.dense ?? s.conv)!.models.join(', ');

  try {
    const shipped = clone(mlpTilesFor(gpu.adapterInfo));
    const adopted = clone(shipped);

    // Step 0: every shape, shipped tiles, every problem.
    for (const s of [...dense, ...conv]) {
      const line: string[] = [];
      for (const shape of TEMPLATE_SHAPES) {
        if (s.conv && shape === 'register') continue;
        const m = s.runs(shape) ? await measure(s, shape, shipped, true) : null;
        line.push(`${SHAPE_TITLES[shape]} ${m === null ? 'n/a' : m.ms === null ? `failed (${m.error})` : `${m.ms.toFixed(3)} ms${m.ok ? '' : ' WRONG'}`}`);
      }
      log(`  ${s.key} (${models_(s)}): ${line.join(', ')}`);
    }

    // Steps 1 and 2: one field of the table at a time.
    const steps: DenseStep[] = [];
    /** A field of the table: how to read and set it, and how to print a value of it. */
    interface Field<V> {
      get(t: MlpTiles): V;
      set(t: MlpTiles, v: V): void;
      label(v: V): string;
    }
    const step = async <V>(name: string, shape: TemplateShape, subjects: Subject[], values: V[], field: Field<V>) => {
      const mine = subjects.filter((s) => s.runs(shape));
      if (mine.length === 0) return;
      const current = field.get(adopted);
      const tried = [current, ...values.filter((v) => field.label(v) !== field.label(current))];
      const options = tried.map((v) => {
        const t = clone(adopted);
        field.set(t, v);
        return t;
      });
      // Kernel by kernel, every candidate on one kernel in turn: a drift of the machine's speed then falls on the
      // candidates of a kernel alike, and each ratio is taken within a kernel.
      const times: Array<Array<DenseMeasurement | null>> = options.map(() => []);
      for (const s of mine) for (let i = 0; i < options.length; i++) times[i].push(await measure(s, shape, options[i]));
      const compared = compareCandidates(times, mine.map((s) => s.flops));
      const candidates: DenseCandidate[] = compared.map((c, i) => ({ label: `${field.label(tried[i])}${i === 0 ? ' (current)' : ''}`, value: tried[i], ...c, chosen: false }));
      const covered = compared[0].kernels;
      // The current value stays unless a correct candidate timed on every kernel of the step beats it by more
      // than the noise (MIN_GAIN); a wrong current value gives way to any correct one.
      let best = 0;
      candidates.forEach((c, i) => {
        if (i === 0 || c.wrong || c.ratio === null) return;
        if (candidates[best].wrong || (c.ratio < MIN_GAIN && c.ratio < (best === 0 ? 1 : candidates[best].ratio!))) best = i;
      });
      candidates[best].chosen = true;
      field.set(adopted, tried[best]);
      steps.push({ name, shape, problems: mine.map((s) => s.key), candidates });
      const partial = covered < mine.length ? ` (compared on ${covered || 'too few'} of its ${mine.length} kernels: the time ran out)` : '';
      log(`  ${name}: ${candidates.map(candidateText).join(', ')}${partial}`);
    };
    /** The dense problems `of` takes. */
    const denseOf = (of: (p: ModelDenseProblem) => boolean) => dense.filter((s) => of(s.dense!));
    const c = CANDIDATES[kind];
    /** Step 3: the workgroup-memory tile, over every dense problem and convolution, among the candidates this adapter can run. */
    const tiledStep = async () => {
      const misfits = c.tiled.map((t) => [t, tiledTileProblem(t) ?? tiledLimitProblem(t, gpu.device.limits)] as const).filter(([, why]) => why !== null);
      if (misfits.length) log(`  workgroup-memory tiles left out: ${misfits.map(([t, why]) => `${tiledLabel(t)} (${why!.replace(/: choose a smaller tile.*$/, '')})`).join('; ')}`);
      const fitting = c.tiled.filter((t) => !misfits.some(([m]) => m === t));
      await step(`workgroup-memory tile (${TILED_FIELD}: rows x cols x depth)`, 'tiled', [...dense, ...conv], fitting, { get: (t) => t.tiled, set: (t, v) => (t.tiled = { ...v }), label: tiledLabel });
    };
    if (shipped.workgroupMemory) await tiledStep();
    const fitsWg = (w: number) => w <= maxWorkgroup;
    const pair = (v: number[]) => v.join('x');
    const registerFields = [
      ['forward', 'forward', (p: ModelDenseProblem) => p.computation === 'forward'],
      ['inputGrad', 'input_grad', (p: ModelDenseProblem) => p.computation === 'input_grad'],
      ['weightGrad', 'weight_grad', (p: ModelDenseProblem) => p.computation === 'weight_grad' && !p.u8],
    ] as const;
    for (const [f, title, of] of registerFields) {
      await step(`register ${title} tile (rows x cols)`, 'register', denseOf(of), c.tiles.filter(([r, k]) => r <= MAX_TILE_ROWS && k <= MAX_TILE_COLS), {
        get: (t) => [t[f].rows, t[f].cols],
        set: (t, [rows, cols]) => Object.assign(t[f], { rows, cols }),
        label: pair,
      });
      await step(`register ${title} workgroup`, 'register', denseOf(of), c.workgroups.filter(fitsWg), { get: (t) => t[f].workgroup, set: (t, v) => (t[f].workgroup = v), label: String });
    }
    const u8Wg = (p: ModelDenseProblem) => p.computation === 'weight_grad' && Boolean(p.u8);
    await step('register weight_grad u8 tile (words x cols)', 'register', denseOf(u8Wg), c.u8Tiles.filter(([w, k]) => w <= MAX_TILE_ROWS / 4 && k <= MAX_TILE_COLS), {
      get: (t) => [t.weightGradU8.words, t.weightGradU8.cols],
      set: (t, [words, cols]) => Object.assign(t.weightGradU8, { words, cols }),
      label: pair,
    });
    await step('register weight_grad u8 workgroup', 'register', denseOf(u8Wg), c.workgroups.filter(fitsWg), { get: (t) => t.weightGradU8.workgroup, set: (t, v) => (t.weightGradU8.workgroup = v), label: String });
    if (SG) {
      // The convolutions' subgroup shape reads two of these fields (kernels/conv2d_implicit_gemm.ts createConvGemm):
      // the workgroup, and words as its weight gradient's TV; the input gradient runs as a forward.
      const sgField = (key: 'workgroup' | 'words' | 'chunks' | 'kPerLane'): Field<number> => ({ get: (t) => t.subgroups[key], set: (t, v) => (t.subgroups[key] = v), label: String });
      const convWeightGrads = conv.filter((s) => s.conv!.computation === 'weight_grad');
      await step('subgroup workgroup (most invocations)', 'subgroup', [...dense, ...conv], c.sgWorkgroups.filter((w) => fitsWg(w) && w % SG === 0), sgField('workgroup'));
      await step('subgroup weight_grad words (vec4s of x per workgroup)', 'subgroup', [...denseOf((p) => p.computation === 'weight_grad' && !p.u8), ...convWeightGrads], c.sg, sgField('words'));
      await step('subgroup weight_grad u8 chunks (16 pixels each per workgroup)', 'subgroup', denseOf(u8Wg), c.sg, sgField('chunks'));
      await step('subgroup input_grad values of k per lane', 'subgroup', denseOf((p) => p.computation === 'input_grad'), c.sg, sgField('kPerLane'));
    }

    // Step 3 (first where the shipped table takes the workgroup-memory shape; see the file's comment).
    if (!shipped.workgroupMemory) await tiledStep();

    // Step 4: the shapes, with the tiles chosen.
    const timeOf = async (s: Subject, shape: TemplateShape, t: MlpTiles) => (s.runs(shape) ? await measure(s, shape, t, true) : null);
    const times = async (s: Subject) => {
      const shippedMs: Record<TemplateShape, number | null> = { register: null, tiled: null, subgroup: null };
      const adoptedMs: Record<TemplateShape, number | null> = { register: null, tiled: null, subgroup: null };
      for (const shape of TEMPLATE_SHAPES) {
        const a = await timeOf(s, shape, shipped);
        const b = await timeOf(s, shape, adopted);
        shippedMs[shape] = a?.ok ? a.ms : null;
        adoptedMs[shape] = b?.ok ? b.ms : null;
      }
      return { key: s.key, shipped: shippedMs, adopted: adoptedMs };
    };
    const rows: DenseSweepRow[] = [];
    for (const s of dense) rows.push({ ...s.dense!, ...(await times(s)), autoShipped: autoShape(gpu, s.dense!, shipped), autoAdopted: 'register' });
    const convRows: ConvSweepRow[] = [];
    for (const s of conv) convRows.push({ ...s.conv!, ...(await times(s)), autoShipped: templateShape(gpu, shipped), autoAdopted: null });
    const all = [...rows, ...convRows];
    const ratios = (num: (r: SweepRowTimes) => number | null, den: (r: SweepRowTimes) => number | null) => {
      const xs = all.map((r) => [num(r), den(r)]).filter(([a, b]) => a !== null && b !== null) as number[][];
      return xs.length ? geomean(xs.map(([a, b]) => a / b)) : null;
    };
    // Register tiles against subgroup shuffles: the dense kernels (a convolution has no register shape).
    const subgroups = ratios((r) => r.adopted.subgroup, (r) => r.adopted.register);
    if (subgroups !== null) adopted.subgroups.enabled = subgroups < (adopted.subgroups.enabled ? 1 / MIN_GAIN : MIN_GAIN);
    // Workgroup memory against the best of the others: the dense kernels and the convolutions, whose shape the
    // same field picks (kernels/conv2d_implicit_gemm.ts implicitGemmParts).
    const others = (r: SweepRowTimes) => {
      const xs = [r.adopted.register, adopted.subgroups.enabled ? r.adopted.subgroup : null].filter((x): x is number => x !== null);
      return xs.length ? Math.min(...xs) : null;
    };
    const workgroupMemory = ratios((r) => r.adopted.tiled, others);
    if (workgroupMemory !== null) adopted.workgroupMemory = workgroupMemory < (adopted.workgroupMemory ? 1 / MIN_GAIN : MIN_GAIN);
    for (const r of rows) r.autoAdopted = autoShape(gpu, r, adopted);
    for (const r of convRows) r.autoAdopted = templateShape(gpu, adopted);
    const ratioToShipped = ratios((r) => (r.autoAdopted === null ? null : r.adopted[r.autoAdopted]), (r) => (r.autoShipped === null ? null : r.shipped[r.autoShipped])) ?? NaN;
    if (timeUp) log(`  the ${budget} s bound was reached: a step cut short compared its candidates on the kernels all were timed on (at least half of its kernels), else kept its value`);
    return { adapter, kind, subgroupSize: SG, models, timing, seconds: elapsed(), timeUp, rows, convRows, steps, measurements, shipped, adopted, ratioToShipped, shapeRatios: { workgroupMemory, subgroups } };
  } finally {
    for (const b of benches.values()) b.destroy();
  }
}

const ms = (x: number | null) => (x === null ? '-' : x >= 10 ? x.toFixed(1) : x.toFixed(3));
/** The tuning field the workgroup-memory tile step sets. */
const TILED_FIELD = 'MlpTiles.tiled';
/** A value of the table as TypeScript: {rows: 32, cols: 32, ...}. */
const tableText = (v: unknown) => JSON.stringify(v).replace(/"/g, '').replace(/:/g, ': ').replace(/,/g, ', ');
/** A candidate of a step: its label, time / the current value's, GFLOP/s over the step's kernels, WRONG, chosen. */
/**
 * A step's candidates compared from their times, `times[candidate][kernel]` (null: not timed; the first candidate is
 * the current value), on the kernels every candidate was timed on: all of them, or where the --sweep-seconds bound
 * cut the step short, the ones before (a step goes kernel by kernel, every candidate on one kernel in turn). At least
 * half the step's kernels, or none is compared (ratio and GFLOP/s null, kernels 0).
 */
export function compareCandidates(times: ReadonlyArray<ReadonlyArray<Pick<DenseMeasurement, 'ms' | 'ok'> | null>>, flops: readonly number[]): Array<Pick<DenseCandidate, 'ratio' | 'gflops' | 'kernels' | 'wrong'>> {
  const base = times[0];
  const covered = flops.map((_, j) => j).filter((j) => times.every((ts) => ts[j]?.ms != null));
  const enough = covered.length > 0 && covered.length * 2 >= flops.length;
  return times.map((ts) => ({
    ratio: enough ? geomean(covered.map((j) => ts[j]!.ms! / base[j]!.ms!)) : null,
    gflops: enough ? (covered.reduce((sum, j) => sum + flops[j], 0) / covered.reduce((sum, j) => sum + ts[j]!.ms!, 0)) * 1e-6 : null,
    kernels: enough ? covered.length : 0,
    wrong: ts.some((m) => m !== null && m.ms !== null && !m.ok),
  }));
}

function candidateText(c: DenseCandidate): string {
  return `${c.label} ${c.ratio === null ? 'not timed' : `${c.ratio.toFixed(2)} (${c.gflops!.toFixed(1)} GFLOP/s)`}${c.wrong ? ' WRONG' : ''}${c.chosen ? ' <-' : ''}`;
}
/** Whether the tile step ran, and whether the adopted table takes the shape at all. */
function tiledNote(r: DenseSweepResult): string {
  const ran = r.steps.some((s) => s.shape === 'tiled');
  if (!ran) return ' (the tile step did not run)';
  return r.adopted.workgroupMemory ? '' : ' (workgroupMemory is false here: the tile matters only where a tuning takes the shape)';
}

/** The convolutions' table (none where the models have none): one row per product, the shapes a convolution has. */
function convTable(r: DenseSweepResult): string[] {
  if (r.convRows.length === 0) return [];
  const shapes = TEMPLATE_SHAPES.filter((s) => s !== 'register');
  const rows = r.convRows[0].rows === r.convRows[0].batch ? 'at the batch' : `on ${r.convRows[0].rows} samples of the batch (conv_problems.ts CONV_TIMED_ROWS)`;
  return [
    '',
    `Convolutions as implicit GEMM (kernels/conv2d_implicit_gemm.ts), ${r.convRows.length} products of ${[...new Set(r.convRows.flatMap((x) => x.models))].join(', ')}, timed ${rows}, ms per dispatch, shipped tiles -> adopted tiles; * = the shape the adopted table takes (none: conv2d_general):`,
    '',
    `| product | C_in->C_out, H x W, kernel, stride, padding | rows (batch) | models | ${shapes.map((s) => SHAPE_TITLES[s]).join(' | ')} | GFLOP/s (adopted) |`,
    `|---|---|---|---|${shapes.map(() => '---:').join('|')}|---:|`,
    ...r.convRows.map((x) => {
      const cells = shapes.map((s) => (x.shipped[s] === null && x.adopted[s] === null ? (s === 'subgroup' && !r.subgroupSize ? 'n/a' : 'failed') : `${ms(x.shipped[s])} -> ${ms(x.adopted[s])}${x.autoAdopted === s ? ' *' : ''}`));
      const a = x.autoAdopted === null ? null : x.adopted[x.autoAdopted];
      const d = x.dims;
      return `| ${x.computation} | ${d.C_IN}->${d.C_OUT}, ${d.H}x${d.W}, k${d.KS} s${d.STRIDE} p${d.PAD} | ${x.rows} (${x.batch}) | ${x.models.join(', ')} | ${cells.join(' | ')} | ${a === null ? '-' : ((convProblemFlops(x) / a) * 1e-6).toFixed(1)} |`;
    }),
  ];
}

/** The sweep as markdown: one row per dense kernel, the steps' candidates, the shape choice and the table to adopt. */
export function formatDenseSweep(r: DenseSweepResult): string {
  const lines = [
    `Dense template tiles on ${r.adapter} (${r.kind} kind${r.subgroupSize ? `, subgroups of ${r.subgroupSize}` : ', no subgroup shape'}), ${r.rows.length} dense kernels of ${r.models.join(', ')}, ms per dispatch (median of ${r.timing.batches} batches), shipped tiles -> adopted tiles; * = auto's shape with the adopted table:`,
    '',
    `| product | M x K x N | models | ${TEMPLATE_SHAPES.map((s) => SHAPE_TITLES[s]).join(' | ')} | GFLOP/s (adopted auto) |`,
    `|---|---|---|${TEMPLATE_SHAPES.map(() => '---:').join('|')}|---:|`,
    ...r.rows.map((x) => {
      const cells = TEMPLATE_SHAPES.map((s) => (x.shipped[s] === null && x.adopted[s] === null ? (s === 'subgroup' ? 'n/a' : 'failed') : `${ms(x.shipped[s])} -> ${ms(x.adopted[s])}${x.autoAdopted === s ? ' *' : ''}`));
      const a = x.adopted[x.autoAdopted];
      return `| ${x.computation}${x.u8 ? ' u8' : ''} | ${x.M}x${x.K}x${x.N} | ${x.models.join(', ')} | ${cells.join(' | ')} | ${a === null ? '-' : ((problemFlops(x) / a) * 1e-6).toFixed(1)} |`;
    }),
    ...convTable(r),
    '',
    'Steps (geometric mean over the step\'s kernels of time / the current choice\'s; <- chosen):',
    ...r.steps.map((s) => `- ${s.name} (${s.problems.length} kernels): ${s.candidates.map(candidateText).join(', ')}`),
    `- shapes: workgroup memory / the best other ${r.shapeRatios.workgroupMemory === null ? 'not measured' : r.shapeRatios.workgroupMemory.toFixed(2)} -> workgroupMemory ${r.adopted.workgroupMemory}; subgroup shuffles / register tiles ${r.shapeRatios.subgroups === null ? 'not measured' : r.shapeRatios.subgroups.toFixed(2)} -> subgroups.enabled ${r.adopted.subgroups.enabled}`,
  ];
  const wrong = r.measurements.filter((m) => m.error);
  if (wrong.length) lines.push('', `failed or wrong (never chosen): ${wrong.map((m) => `${m.problem} ${m.shape} ${JSON.stringify(m.constants)}: ${m.error}`).join('; ')}`);
  lines.push(
    '',
    `${r.measurements.length} kernels timed in ${r.seconds.toFixed(0)} s${r.timeUp ? ' (the time bound was reached: some candidates were not timed)' : ''}; auto's shape with the adopted table: ${Number.isFinite(r.ratioToShipped) ? r.ratioToShipped.toFixed(2) : '-'}x the shipped table's time (geometric mean over the kernels)`,
    `to adopt: MLP_TILES.${r.kind} = ${tableText(r.adopted)}`,
    `workgroup-memory tile: ${TILED_FIELD} = ${tableText(r.adopted.tiled)} (MLP_TILES.${r.kind}.tiled in gpu/tuning.ts; for a run, Tuning.dense.tiled)${tiledNote(r)}`,
  );
  if (JSON.stringify(r.adopted) === JSON.stringify(r.shipped)) lines.push(`(the same as the shipped MLP_TILES.${r.kind})`);
  return lines.join('\n');
}
