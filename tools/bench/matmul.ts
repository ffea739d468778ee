/**
 * `npm run bench -- --matmul` (npm run bench:matmul): the matmul micro-benchmark beside the kernel bench. GFLOP/s of
 * each shape of the dense contraction template (kernels/linear.ts: register tiles, workgroup-memory tiles, and
 * subgroup shuffles where the adapter has one subgroup size) for its three products (forward out = x·W + b,
 * input_grad dx = dy·Wᵀ, weight_grad dW = xᵀ·dy) at each M x K x N (default 256x784x256, the MLP's first layer, and
 * 1024x1024x1024), on this adapter, next to the CPU's BLAS on one thread timed in the same run
 * (blas_matmul.py: numpy or PyTorch, OpenBLAS on Debian).
 *
 * Each kernel is made as training makes it (createLinear* with the shipped tiles of gpu/tuning.ts MLP_TILES), then
 * timed as the other kernel benches do (N dispatches in one compute pass and one submit, awaiting
 * onSubmittedWorkDone; dense_kernels.ts): a warm-up, N chosen so that a batch lasts about --matmul-batch-ms, and
 * the median of --matmul-batches batches. Each kernel's output is then checked once against a CPU product (dense_kernels.ts), so
 * a fast wrong kernel shows as FAILED rather than as a figure.
 *
 * A second table times the workgroup-memory shape at each tile of --matmul-tiles (default: on a GPU the dense
 * sweep's candidates, dense_sweep.ts TILED_CANDIDATES, where the adapter's limits allow them; on a CPU driver,
 * which never takes that shape, none), GFLOP/s per tile, and names the tile to set (MLP_TILES' tiled).
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { describeAdapter } from '../../src/gpu/device.js';
import type { Gpu } from '../../src/gpu/device.js';
import { isCpuAdapter, type MlpTiles, mlpTilesFor, type TiledTile } from '../../src/gpu/tuning.js';
import type { BoundKernel } from '../../src/kernels/kernel.js';
import { subgroupSize } from '../../src/kernels/subgroups.js';
import { tiledLabel, tiledLimitProblem, tiledTileProblem } from '../../src/kernels/tiles.js';
import {
  type CheckResult,
  COMPUTATIONS,
  type Computation,
  createShipped,
  createWithTiles,
  DenseBench,
  type DenseProblem,
  describeKernel,
  problemFlops,
  SHAPE_TITLES,
  subgroupProblem,
  TEMPLATE_SHAPES,
  type TemplateShape,
  type TimingOptions,
} from './dense_kernels.js';
import { TILED_CANDIDATES } from './dense_sweep.js';
import { benchScript } from './mlp.js';
import { BENCH_PYTHON } from './peers.js';
import { type LoadRecord, loadNote } from './schema.js';

export const MATMUL_SCHEMA = 'webgpu-softmax-matmul/1';

export interface MatmulSize {
  M: number;
  K: number;
  N: number;
}

export const DEFAULT_MATMUL_SIZES: MatmulSize[] = [
  { M: 256, K: 784, N: 256 },
  { M: 1024, K: 1024, N: 1024 },
];

/** Parses "256x784x256,1024x1024x1024" (M x K x N). */
export function parseMatmulSizes(text: string): MatmulSize[] {
  return text.split(',').map((s) => {
    const parts = s.toLowerCase().split('x').map(Number);
    if (parts.length !== 3 || parts.some((v) => !Number.isInteger(v) || v < 1)) throw new RangeError(`--matmul-sizes: ${s} is not M x K x N in whole numbers (e.g. 256x784x256)`);
    const [M, K, N] = parts;
    return { M, K, N };
  });
}

/** A kernel timed on one product and size: its figures, or why it did not run. */
export interface MatmulTimed extends MatmulSize {
  computation: Computation;
  /** Why it did not run (no subgroup shape for it here, a tile past this adapter's limits, a kernel that failed to build), else null. */
  skipped: string | null;
  kernel: string | null;
  constants: Record<string, number> | null;
  /** Median ms per dispatch; null where skipped. */
  ms: number | null;
  gflops: number | null;
  /** Median process CPU ms per dispatch (dense_kernels.ts Timing.cpuMs). */
  cpuMs: number | null;
  reps: number | null;
  batchMs: number[];
  check: CheckResult | null;
}

export interface MatmulRow extends MatmulTimed {
  shape: TemplateShape;
  /** Whether kernels/linear.ts's auto choice takes this shape for this product on this adapter. */
  auto: boolean;
}

/** The workgroup-memory shape at one tile of --matmul-tiles. */
export interface MatmulTileRow extends MatmulTimed {
  tile: TiledTile;
  /** tiledLabel(tile). */
  label: string;
  /** The tile of the adapter's table (MLP_TILES' tiled). */
  shipped: boolean;
}

export interface MatmulBlasRow extends MatmulSize {
  computation: Computation;
  ms: number;
  gflops: number;
  /** Process CPU time over wall time: about the threads the BLAS really used. */
  cpuPerWall: number;
}

export interface MatmulBlas {
  /** numpy or torch, with its version. */
  library: string;
  /** The BLAS shared libraries it loaded (paths), where known. */
  blas: string | null;
  threads: number;
  rows: MatmulBlasRow[];
}

export interface MatmulReport {
  schema: typeof MATMUL_SCHEMA;
  date: string;
  node: string;
  adapter: string;
  kind: 'cpu' | 'gpu';
  subgroupSize: number | null;
  timing: TimingOptions;
  sizes: MatmulSize[];
  rows: MatmulRow[];
  /** The workgroup-memory tiles timed (--matmul-tiles), and each on every size and product. */
  tiles: TiledTile[];
  tileRows: MatmulTileRow[];
  /**
   * The fastest tile: the least geometric mean over the sizes and products of its time / the shipped tile's, among
   * the tiles that ran and passed on all of them (null: fewer than two such, or the shipped tile not among them).
   */
  tileChoice: { tile: TiledTile; label: string; ratio: number } | null;
  /** The CPU yardstick; null where it did not run (blasNote says why). */
  blas: MatmulBlas | null;
  blasNote: string | null;
  load: LoadRecord;
}

export interface MatmulOptions {
  sizes?: MatmulSize[];
  timing?: Partial<TimingOptions>;
  /** The BLAS's threads (default 1). */
  threads?: number;
  /** The workgroup-memory tiles to time (default defaultMatmulTiles). */
  tiles?: readonly TiledTile[];
  /** The Python that runs blas_matmul.py (default BENCH_PYTHON); null: no CPU yardstick. */
  python?: string | null;
  /** Progress lines (default stderr). */
  log?: (line: string) => void;
}

/** Skips that are no failure: no subgroup shape for the product here, a tile past this adapter's limits. */
const EXPECTED_SKIP = /^(no subgroup shape|does not fit)/;

/** Whether every kernel that should have run ran and passed its check. */
export const matmulPassed = (r: MatmulReport): boolean => [...r.rows, ...r.tileRows].every((x) => (x.skipped === null ? x.check?.ok === true : EXPECTED_SKIP.test(x.skipped)));

/** The tiles --matmul-tiles means by default: the sweep's candidates on a GPU; none on a CPU driver, which never takes the workgroup-memory shape. */
export const defaultMatmulTiles = (gpu: Gpu): readonly TiledTile[] => (isCpuAdapter(gpu.adapterInfo) ? [] : TILED_CANDIDATES);

/** Parses --matmul-tiles: all (TILED_CANDIDATES), none, or "64x64x8,128x128x8/8x8" (rows x cols x depth, / the register block, default 4x4). */
export function parseMatmulTiles(text: string): TiledTile[] {
  if (text === 'all') return [...TILED_CANDIDATES];
  if (text === 'none') return [];
  return text.split(',').map((s) => {
    const m = /^(\d+)x(\d+)x(\d+)(?:\/(\d+)x(\d+))?$/.exec(s.toLowerCase());
    const tile = m ? { rows: Number(m[1]), cols: Number(m[2]), depth: Number(m[3]), blockRows: Number(m[4] ?? 4), blockCols: Number(m[5] ?? 4) } : null;
    const why = tile ? tiledTileProblem(tile) : null;
    if (!tile || why) throw new RangeError(`--matmul-tiles: ${s} is ${why ? `no tile the shader takes (${why})` : 'not rows x cols x depth[/block rows x block cols] (e.g. 64x64x8 or 128x128x8/8x8)'}, nor all or none`);
    return tile;
  });
}

export const DEFAULT_MATMUL_TIMING: TimingOptions = { batches: 5, batchMs: 20, maxReps: 1000 };

const triple = (t: number[]): [number, number, number] => [t[0], t[1], t[2]];

/** Times every shape of the template on every product and size on `gpu`, then the CPU's BLAS on the same. */
export async function runMatmulBench(gpu: Gpu, options: MatmulOptions = {}): Promise<MatmulReport> {
  const log = options.log ?? ((line: string) => console.error(line));
  const sizes = options.sizes ?? DEFAULT_MATMUL_SIZES;
  const timing = { ...DEFAULT_MATMUL_TIMING, ...options.timing };
  const threads = options.threads ?? 1;
  const tiles = [...(options.tiles ?? defaultMatmulTiles(gpu))];
  const shipped: MlpTiles = mlpTilesFor(gpu.adapterInfo);
  const loadStart = triple(loadavg());
  const adapter = describeAdapter(gpu.adapterInfo);
  log(`matmul on ${adapter}: ${sizes.map((s) => `${s.M}x${s.K}x${s.N}`).join(', ')}; median of ${timing.batches} batches of ~${timing.batchMs} ms each${tiles.length ? `; workgroup-memory tiles ${tiles.map(tiledLabel).join(', ')}` : ''}; load average ${loadStart.map((l) => l.toFixed(2)).join(' ')}`);
  const rows: MatmulRow[] = [];
  const tileRows: MatmulTileRow[] = [];
  /** Makes row's kernel (make), times it and checks its output; a failure is the row's `skipped`. */
  const run = async (row: MatmulTimed, bench: DenseBench, title: string, make: () => Promise<BoundKernel<string>>, made?: (k: BoundKernel<string>) => void) => {
    try {
      const kernel = await make();
      Object.assign(row, describeKernel(kernel));
      made?.(kernel);
      const t = await bench.time(kernel, timing);
      row.ms = t.ms;
      row.cpuMs = t.cpuMs;
      row.reps = t.reps;
      row.batchMs = t.batchMs;
      row.gflops = (problemFlops({ ...row }) / t.ms) * 1e-6;
      row.check = await bench.check(kernel);
    } catch (err) {
      row.skipped = `failed: ${(err as Error).message.split('\n')[0]}`;
    }
    log(`  ${row.M}x${row.K}x${row.N} ${row.computation} ${title}: ${row.ms === null ? row.skipped : `${row.ms.toFixed(3)} ms, ${row.gflops!.toFixed(1)} GFLOP/s, check ${row.check!.ok ? 'ok' : 'FAILED'} (worst ${row.check!.worst.toExponential(1)})`}`);
  };
  const blank = (size: MatmulSize, computation: Computation): MatmulTimed => ({ ...size, computation, skipped: null, kernel: null, constants: null, ms: null, gflops: null, cpuMs: null, reps: null, batchMs: [], check: null });
  for (const size of sizes) {
    for (const computation of COMPUTATIONS) {
      const problem: DenseProblem = { computation, ...size };
      const bench = new DenseBench(gpu, problem);
      try {
        const auto = await createShipped(gpu, problem, 'auto');
        for (const shape of TEMPLATE_SHAPES) {
          const row: MatmulRow = { ...blank(size, computation), shape, auto: false };
          rows.push(row);
          const why = shape === 'subgroup' ? subgroupProblem(gpu, problem) : null;
          if (why) {
            row.skipped = `no subgroup shape: ${why}`;
            continue;
          }
          // The pipeline cache hands out one Kernel per compiled source: auto's is this shape's when it is the same.
          await run(row, bench, SHAPE_TITLES[shape], () => createShipped(gpu, problem, shape), (k) => (row.auto = k.kernel === auto.kernel));
        }
        for (const tile of tiles) {
          const label = tiledLabel(tile);
          const row: MatmulTileRow = { ...blank(size, computation), tile, label, shipped: label === tiledLabel(shipped.tiled) };
          tileRows.push(row);
          const why = tiledLimitProblem(tile, gpu.device.limits);
          if (why) {
            row.skipped = `does not fit: ${why.replace(/: choose a smaller tile.*$/, '')}`;
            continue;
          }
          await run(row, bench, `workgroup memory ${label}`, () => createWithTiles(gpu, problem, 'tiled', { ...shipped, tiled: tile }));
        }
      } finally {
        bench.destroy();
      }
    }
  }

  let blas: MatmulBlas | null = null;
  let blasNote: string | null = null;
  const python = options.python === undefined ? BENCH_PYTHON : options.python;
  if (python === null) blasNote = 'not run (no Python given)';
  else {
    try {
      blas = await runBlas(python, sizes, threads);
      log(`  CPU: ${blas.library}, ${blas.blas ?? 'BLAS unknown'}, ${threads} thread(s)`);
    } catch (err) {
      blasNote = `not run: ${(err as Error).message}`;
      log(`  CPU yardstick ${blasNote}`);
    }
  }
  const loadEnd = triple(loadavg());
  const cores = cpus().length;
  return {
    schema: MATMUL_SCHEMA,
    date: new Date().toISOString(),
    node: process.version,
    adapter,
    kind: isCpuAdapter(gpu.adapterInfo) ? 'cpu' : 'gpu',
    subgroupSize: subgroupSize(gpu),
    timing,
    sizes,
    rows,
    tiles,
    tileRows,
    tileChoice: chooseTile(tileRows, tiles),
    blas,
    blasNote,
    load: { start: loadStart, end: loadEnd, cores, busy: loadNote({ start: loadStart, end: loadEnd, cores }) !== null },
  };
}

/** MatmulReport.tileChoice: the tile with the least geometric mean of time / the shipped tile's over every size and product. */
function chooseTile(tileRows: MatmulTileRow[], tiles: TiledTile[]): MatmulReport['tileChoice'] {
  const ran = (label: string) => {
    const mine = tileRows.filter((x) => x.label === label);
    return mine.every((x) => x.ms !== null && x.check?.ok) ? mine : null;
  };
  const base = tileRows.find((x) => x.shipped) ? ran(tileRows.find((x) => x.shipped)!.label) : null;
  if (!base) return null;
  const ratios = tiles.map((tile) => {
    const mine = ran(tiledLabel(tile));
    return mine ? { tile, label: tiledLabel(tile), ratio: Math.exp(mine.reduce((s, x, i) => s + Math.log(x.ms! / base[i].ms!), 0) / mine.length) } : null;
  }).filter((x) => x !== null);
  return ratios.length < 2 ? null : ratios.reduce((a, b) => (b.ratio < a.ratio ? b : a));
}

/** blas_matmul.py's answer for `sizes` on `threads` threads. */
function runBlas(python: string, sizes: MatmulSize[], threads: number): Promise<MatmulBlas> {
  const args = [benchScript('blas_matmul.py'), `--sizes=${sizes.map((s) => `${s.M}x${s.K}x${s.N}`).join(',')}`, `--threads=${threads}`];
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => reject(new Error(`${python} did not start (${err.message}): set BENCH_PYTHON to a Python with numpy or torch`)));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${python} blas_matmul.py exited ${code}: ${stderr.trim().split('\n').pop() ?? ''}`));
      try {
        const r = JSON.parse(stdout) as Omit<MatmulBlas, 'rows'> & { rows: Array<Omit<MatmulBlasRow, 'gflops'>> };
        resolve({ library: r.library, blas: r.blas, threads: r.threads, rows: r.rows.map((x) => ({ ...x, gflops: ((2 * x.M * x.K * x.N) / x.ms) * 1e-6 })) });
      } catch {
        reject(new Error(`blas_matmul.py printed no JSON: ${stdout.slice(0, 200)}`));
      }
    });
  });
}

const gf = (gflops: number) => (gflops >= 100 ? gflops.toFixed(0) : gflops.toFixed(1));
const cell = (ms: number | null, gflops: number | null) => (ms === null ? '-' : `${gf(gflops!)} (${ms >= 10 ? ms.toFixed(1) : ms.toFixed(3)} ms)`);

/**
 * The report as markdown: one row per size and product, GFLOP/s (ms per dispatch) per shape and for the BLAS; on a
 * CPU adapter a second table in GFLOP per CPU-second (the driver's threads are this process's, so that figure
 * compares with the BLAS's one thread whatever else shares the cores).
 */
export function formatMatmul(r: MatmulReport): string {
  const threads = r.blas ? `, ${r.blas.threads} thread${r.blas.threads === 1 ? '' : 's'}` : '';
  const table = (value: (x: MatmulRow) => string, blas: (b: MatmulBlasRow) => string, check: boolean) => {
    const lines = [`| M x K x N | product | ${TEMPLATE_SHAPES.map((s) => SHAPE_TITLES[s]).join(' | ')} | CPU BLAS${threads} |${check ? ' check |' : ''}`, `|---|---|${TEMPLATE_SHAPES.map(() => '---:').join('|')}|---:|${check ? '---|' : ''}`];
    for (const s of r.sizes) {
      for (const computation of COMPUTATIONS) {
        const mine = r.rows.filter((x) => x.M === s.M && x.K === s.K && x.N === s.N && x.computation === computation);
        const cells = TEMPLATE_SHAPES.map((shape) => {
          const x = mine.find((y) => y.shape === shape);
          if (!x || x.ms === null) return x?.skipped?.startsWith('no subgroup') ? 'n/a' : 'failed';
          return `${value(x)}${x.auto ? ' *' : ''}${x.check?.ok ? '' : ' WRONG'}`;
        });
        const b = r.blas?.rows.find((y) => y.M === s.M && y.K === s.K && y.N === s.N && y.computation === computation);
        const checked = mine.filter((x) => x.check);
        const verdict = checked.every((x) => x.check!.ok) ? `ok (${checked.length} of ${mine.length}, worst ${Math.max(0, ...checked.map((x) => x.check!.worst)).toExponential(0)})` : `FAILED: ${checked.filter((x) => !x.check!.ok).map((x) => SHAPE_TITLES[x.shape]).join(', ')}`;
        lines.push(`| ${s.M}x${s.K}x${s.N} | ${computation} | ${cells.join(' | ')} | ${b ? blas(b) : '-'} |${check ? ` ${verdict} |` : ''}`);
      }
    }
    return lines;
  };
  const lines = [
    `Dense template shapes on ${r.adapter} (${r.kind} kind${r.subgroupSize ? `, subgroups of ${r.subgroupSize}` : ', no subgroup shape'}): GFLOP/s (ms per dispatch), median of ${r.timing.batches} batches; * = the shape training takes here (auto)`,
    '',
    ...table((x) => cell(x.ms, x.gflops), (b) => cell(b.ms, b.gflops), true),
  ];
  if (r.kind === 'cpu') {
    const perCpu = (flop: number, cpuMs: number | null) => (cpuMs ? gf((flop / cpuMs) * 1e-6) : '-');
    lines.push('', 'GFLOP per CPU-second of this process (a CPU driver\'s threads are its own; the BLAS: per second of its CPU time):', '', ...table((x) => perCpu(problemFlops(x), x.cpuMs), (b) => gf(b.gflops / b.cpuPerWall), false));
  }
  if (r.tiles.length) {
    const labels = r.tiles.map(tiledLabel);
    const kind = r.kind;
    lines.push('', `Workgroup-memory tiles (MlpTiles.tiled; rows x cols x depth, 4x4 per invocation unless said): GFLOP/s (ms per dispatch); * = the tile shipped here (MLP_TILES.${kind}.tiled)`, '');
    lines.push(`| M x K x N | product | ${labels.map((l) => `${l}${r.tileRows.some((x) => x.label === l && x.shipped) ? ' *' : ''}`).join(' | ')} |`, `|---|---|${labels.map(() => '---:').join('|')}|`);
    for (const s of r.sizes) {
      for (const computation of COMPUTATIONS) {
        const cells = labels.map((l) => {
          const x = r.tileRows.find((y) => y.M === s.M && y.K === s.K && y.N === s.N && y.computation === computation && y.label === l);
          if (!x || x.ms === null) return x?.skipped?.startsWith('does not fit') ? 'n/a' : 'failed';
          return `${cell(x.ms, x.gflops)}${x.check?.ok ? '' : ' WRONG'}`;
        });
        lines.push(`| ${s.M}x${s.K}x${s.N} | ${computation} | ${cells.join(' | ')} |`);
      }
    }
    const checked = r.tileRows.filter((x) => x.check);
    const wrong = checked.filter((x) => !x.check!.ok);
    lines.push('', `checks against the CPU product: ${wrong.length ? `FAILED: ${wrong.map((x) => `${x.M}x${x.K}x${x.N} ${x.computation} ${x.label}`).join(', ')}` : `ok (${checked.length} of ${r.tileRows.length}, worst ${Math.max(0, ...checked.map((x) => x.check!.worst)).toExponential(0)})`}`);
    const misfits = [...new Map(r.tileRows.filter((x) => x.skipped?.startsWith('does not fit')).map((x) => [x.label, x.skipped])).entries()];
    if (misfits.length) lines.push('', `n/a: ${misfits.map(([l, why]) => `${l} ${why}`).join('; ')}`);
    const c = r.tileChoice;
    lines.push('', c ? `fastest tile (geometric mean over the sizes and products of time / the shipped tile's): ${c.label}, ${c.ratio.toFixed(2)}; to adopt it: MLP_TILES.${kind}.tiled = ${JSON.stringify(c.tile).replace(/"/g, '').replace(/:/g, ': ').replace(/,/g, ', ')} (gpu/tuning.ts; for a run, Tuning.dense.tiled)` : 'fastest tile: not chosen (fewer than two tiles ran on every size and product, or not the shipped one)');
  }
  lines.push('');
  for (const x of [...r.rows.map((y) => ({ ...y, title: SHAPE_TITLES[y.shape] })), ...r.tileRows.map((y) => ({ ...y, title: `workgroup memory ${y.label}` }))].filter((y) => y.skipped && !EXPECTED_SKIP.test(y.skipped))) lines.push(`${x.M}x${x.K}x${x.N} ${x.computation} ${x.title}: ${x.skipped}`);
  const kernels = new Map<string, string>();
  for (const x of r.rows) if (x.kernel && x.M === r.sizes[0].M && x.K === r.sizes[0].K && x.N === r.sizes[0].N) kernels.set(`${x.computation} ${SHAPE_TITLES[x.shape]}`, `${x.kernel} ${Object.entries(x.constants!).filter(([k]) => !['K', 'N'].includes(k)).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  lines.push(`kernels (${r.sizes[0].M}x${r.sizes[0].K}x${r.sizes[0].N}): ${[...kernels].map(([k, v]) => `${k}: ${v.trim()}`).join('; ')}`);
  lines.push(r.blas ? `CPU: ${r.blas.library} on ${r.blas.blas ?? 'an unknown BLAS'}, ${r.blas.threads} thread(s) (CPU time / wall ${Math.max(...r.blas.rows.map((x) => x.cpuPerWall)).toFixed(2)} at most), best of its runs` : `CPU: ${r.blasNote}`);
  const { start, end, cores } = r.load;
  lines.push(`load average (1, 5, 15 min): ${start.map((l) => l.toFixed(2)).join(' ')} at the start, ${end.map((l) => l.toFixed(2)).join(' ')} at the end, ${cores} cores`);
  const warning = loadNote(r.load);
  if (warning) lines.push(warning);
  return lines.join('\n');
}

/** What is wrong with a matmul report (the test's and the gpu-bench report's check), or [] when nothing is. */
export function validateMatmulReport(x: unknown): string[] {
  const problems: string[] = [];
  const r = x as Partial<MatmulReport>;
  if (typeof r !== 'object' || r === null) return ['the report is not an object'];
  if (r.schema !== MATMUL_SCHEMA) problems.push(`schema is ${JSON.stringify(r.schema)}, not ${MATMUL_SCHEMA}`);
  if (!Array.isArray(r.sizes) || !Array.isArray(r.rows)) return [...problems, 'sizes or rows is not a list'];
  const want = r.sizes.length * COMPUTATIONS.length * TEMPLATE_SHAPES.length;
  if (r.rows.length !== want) problems.push(`${r.rows.length} rows, not ${want} (sizes x products x shapes)`);
  const timed = (row: MatmulTimed, name: string) => {
    if (row.skipped === null) {
      if (!(typeof row.ms === 'number' && row.ms > 0 && typeof row.gflops === 'number' && row.gflops > 0)) problems.push(`${name}: ms or gflops is not a number > 0`);
      if (!row.check || typeof row.check.ok !== 'boolean' || !(row.check.rows > 0)) problems.push(`${name}: no check`);
    } else if (row.ms !== null) problems.push(`${name}: skipped but timed`);
  };
  r.rows.forEach((row, i) => timed(row, `rows[${i}] (${row.M}x${row.K}x${row.N} ${row.computation} ${row.shape})`));
  if (!Array.isArray(r.tiles) || !Array.isArray(r.tileRows)) problems.push('tiles or tileRows is not a list');
  else {
    const wantTiles = r.sizes.length * COMPUTATIONS.length * r.tiles.length;
    if (r.tileRows.length !== wantTiles) problems.push(`${r.tileRows.length} tile rows, not ${wantTiles} (sizes x products x tiles)`);
    r.tileRows.forEach((row, i) => timed(row, `tileRows[${i}] (${row.M}x${row.K}x${row.N} ${row.computation} ${row.label})`));
  }
  for (const s of r.sizes) {
    for (const c of COMPUTATIONS) {
      const autos = r.rows.filter((y) => y.M === s.M && y.K === s.K && y.N === s.N && y.computation === c && y.auto).length;
      if (autos !== 1) problems.push(`${s.M}x${s.K}x${s.N} ${c}: ${autos} shapes marked auto, not 1`);
    }
  }
  if (r.blas === null && typeof r.blasNote !== 'string') problems.push('no blas and no blasNote');
  return problems;
}
