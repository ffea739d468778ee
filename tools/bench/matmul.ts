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
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { describeAdapter } from '../../src/gpu/device.js';
import type { Gpu } from '../../src/gpu/device.js';
import { isCpuAdapter } from '../../src/gpu/tuning.js';
import { subgroupSize } from '../../src/kernels/subgroups.js';
import {
  type CheckResult,
  COMPUTATIONS,
  type Computation,
  createShipped,
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

export interface MatmulRow extends MatmulSize {
  computation: Computation;
  shape: TemplateShape;
  /** Whether kernels/linear.ts's auto choice takes this shape for this product on this adapter. */
  auto: boolean;
  /** Why it did not run (no subgroup shape for it here, a kernel that failed to build), else null. */
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
  /** The Python that runs blas_matmul.py (default BENCH_PYTHON); null: no CPU yardstick. */
  python?: string | null;
  /** Progress lines (default stderr). */
  log?: (line: string) => void;
}

/** Whether every kernel that should have run ran and passed its check. */
export const matmulPassed = (r: MatmulReport): boolean => r.rows.every((x) => (x.skipped === null ? x.check?.ok === true : x.skipped.startsWith('no subgroup shape')));

export const DEFAULT_MATMUL_TIMING: TimingOptions = { batches: 5, batchMs: 20, maxReps: 1000 };

const triple = (t: number[]): [number, number, number] => [t[0], t[1], t[2]];

/** Times every shape of the template on every product and size on `gpu`, then the CPU's BLAS on the same. */
export async function runMatmulBench(gpu: Gpu, options: MatmulOptions = {}): Promise<MatmulReport> {
  const log = options.log ?? ((line: string) => console.error(line));
  const sizes = options.sizes ?? DEFAULT_MATMUL_SIZES;
  const timing = { ...DEFAULT_MATMUL_TIMING, ...options.timing };
  const threads = options.threads ?? 1;
  const loadStart = triple(loadavg());
  const adapter = describeAdapter(gpu.adapterInfo);
  log(`matmul on ${adapter}: ${sizes.map((s) => `${s.M}x${s.K}x${s.N}`).join(', ')}; median of ${timing.batches} batches of ~${timing.batchMs} ms each; load average ${loadStart.map((l) => l.toFixed(2)).join(' ')}`);
  const rows: MatmulRow[] = [];
  for (const size of sizes) {
    for (const computation of COMPUTATIONS) {
      const problem: DenseProblem = { computation, ...size };
      const bench = new DenseBench(gpu, problem);
      try {
        const auto = await createShipped(gpu, problem, 'auto');
        for (const shape of TEMPLATE_SHAPES) {
          const row: MatmulRow = { ...size, computation, shape, auto: false, skipped: null, kernel: null, constants: null, ms: null, gflops: null, cpuMs: null, reps: null, batchMs: [], check: null };
          rows.push(row);
          const why = shape === 'subgroup' ? subgroupProblem(gpu, problem) : null;
          if (why) {
            row.skipped = `no subgroup shape: ${why}`;
            continue;
          }
          try {
            const kernel = await createShipped(gpu, problem, shape);
            Object.assign(row, describeKernel(kernel));
            // The pipeline cache hands out one Kernel per compiled source: auto's is this shape's when it is the same.
            row.auto = kernel.kernel === auto.kernel;
            const t = await bench.time(kernel, timing);
            row.ms = t.ms;
            row.cpuMs = t.cpuMs;
            row.reps = t.reps;
            row.batchMs = t.batchMs;
            row.gflops = (problemFlops(problem) / t.ms) * 1e-6;
            row.check = await bench.check(kernel);
          } catch (err) {
            row.skipped = `failed: ${(err as Error).message.split('\n')[0]}`;
          }
          log(`  ${size.M}x${size.K}x${size.N} ${computation} ${SHAPE_TITLES[shape]}: ${row.ms === null ? row.skipped : `${row.ms.toFixed(3)} ms, ${row.gflops!.toFixed(1)} GFLOP/s, check ${row.check!.ok ? 'ok' : 'FAILED'} (worst ${row.check!.worst.toExponential(1)})`}`);
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
    blas,
    blasNote,
    load: { start: loadStart, end: loadEnd, cores, busy: loadNote({ start: loadStart, end: loadEnd, cores }) !== null },
  };
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
  lines.push('');
  for (const x of r.rows.filter((y) => y.skipped && !y.skipped.startsWith('no subgroup'))) lines.push(`${x.M}x${x.K}x${x.N} ${x.computation} ${SHAPE_TITLES[x.shape]}: ${x.skipped}`);
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
  r.rows.forEach((row, i) => {
    const name = `rows[${i}] (${row.M}x${row.K}x${row.N} ${row.computation} ${row.shape})`;
    if (row.skipped === null) {
      if (!(typeof row.ms === 'number' && row.ms > 0 && typeof row.gflops === 'number' && row.gflops > 0)) problems.push(`${name}: ms or gflops is not a number > 0`);
      if (!row.check || typeof row.check.ok !== 'boolean' || !(row.check.rows > 0)) problems.push(`${name}: no check`);
    } else if (row.ms !== null) problems.push(`${name}: skipped but timed`);
  });
  for (const s of r.sizes) {
    for (const c of COMPUTATIONS) {
      const autos = r.rows.filter((y) => y.M === s.M && y.K === s.K && y.N === s.N && y.computation === c && y.auto).length;
      if (autos !== 1) problems.push(`${s.M}x${s.K}x${s.N} ${c}: ${autos} shapes marked auto, not 1`);
    }
  }
  if (r.blas === null && typeof r.blasNote !== 'string') problems.push('no blas and no blasNote');
  return problems;
}
