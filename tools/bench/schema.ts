/**
 * The one shape of `npm run bench -- --json PATH` for every model section (softmax, mlp, lenet): BenchReport, and
 * validateBenchReport, which the bench runs on its own report before writing it (and the tests on every section's).
 * Numbers a run could not measure (a skipped contender's seconds, a ratio without ours) are null, never NaN.
 */
import type { EpochResult } from './contender.js';

export const BENCH_SCHEMA = 'webgpu-softmax-bench/1';

/** ours: the GPU trainer (the first row is the one every ratio is taken to); reference: the CPU twin trainer. */
export type ContenderRole = 'ours' | 'reference' | 'peer';

export interface BenchRow {
  name: string;
  role: ContenderRole;
  /** Set where the contender could not run here (no torch, no adapter); its figures are then null. */
  skipped: boolean;
  /** What it ran on: the WebGPU adapter, wasm flavour, BLAS... */
  adapter: string | null;
  notes: string | null;
  /** The timed epochs, in order (the warm-up epochs are not included). */
  epochs: EpochResult[];
  medianSeconds: number | null;
  samplesPerSecond: number | null;
  /** The section's flopPerSample x samples / median seconds. */
  gflops: number | null;
  /** The last timed epoch's mean training loss and accuracy. */
  finalLoss: number | null;
  trainAccuracy: number | null;
  testAccuracy: number | null;
  /** medianSeconds / the first row's medianSeconds. */
  ratioToOurs: number | null;
  /** Peak resident set of the contender's own process (peers), null for those in the driver (see driverRssMB). */
  rssMB: number | null;
  /** GPU buffers our trainer holds, dataset included; null for the others. */
  gpuBufferMB: number | null;
}

/** A ratio the bench checks: ours / the first row whose name contains `peer`, at most `limit`. */
export interface TargetResult {
  what: string;
  /** The row compared with, null where no such contender ran. */
  peer: string | null;
  value: number | null;
  limit: number;
  met: boolean | null;
}

/** os.loadavg() when the bench started and ended, and whether the machine was busy (see loadNote). */
export interface LoadRecord {
  start: [number, number, number];
  end: [number, number, number];
  cores: number;
  busy: boolean;
}

export interface BenchReport {
  schema: typeof BENCH_SCHEMA;
  /** The section: softmax, mlp or lenet (--list-models). */
  model: string;
  description: string;
  /** The section's own settings, e.g. LeNet's activation and pool. */
  settings: Record<string, string>;
  date: string;
  node: string;
  cpu: string;
  /** Our adapter (the first row's). */
  adapter: string | null;
  trainCount: number;
  testCount: number;
  batchSize: number;
  lr: number;
  seed: number;
  warmupEpochs: number;
  timedEpochs: number;
  flopPerSample: number;
  load: LoadRecord;
  /** Peak RSS of the bench's own process, where ours and the CPU reference run. */
  driverRssMB: number;
  rows: BenchRow[];
  targets: TargetResult[];
}

/**
 * A warning when the machine was busy at the start or the end of the run: a 1-minute load average above the
 * cores less half a core means something else wanted the CPU that lavapipe, wasm and PyTorch all run on, so the
 * ratios were taken under contention. Null on a quiet machine.
 */
export function loadNote(load: Pick<LoadRecord, 'start' | 'end' | 'cores'>): string | null {
  const limit = load.cores - 0.5;
  const busy = load.start[0] > limit || load.end[0] > limit;
  if (!busy) return null;
  return `warning: the machine was busy (1-minute load ${load.start[0].toFixed(2)} at the start, ${load.end[0].toFixed(2)} at the end, ${load.cores} cores): these timings were taken under contention`;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** What is wrong with `x` as a BenchReport, one line each; empty when it is one. */
export function validateBenchReport(x: unknown): string[] {
  const errors: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) errors.push(what);
  };
  if (!isObject(x)) return ['the report is not an object'];
  need(x.schema === BENCH_SCHEMA, `schema is ${JSON.stringify(x.schema)}, not ${BENCH_SCHEMA}`);
  for (const key of ['model', 'description', 'date', 'node', 'cpu']) need(typeof x[key] === 'string' && x[key] !== '', `${key} is not a non-empty string`);
  need(x.adapter === null || typeof x.adapter === 'string', 'adapter is neither a string nor null');
  need(isObject(x.settings) && Object.values(x.settings).every((v) => typeof v === 'string'), 'settings is not an object of strings');
  for (const key of ['trainCount', 'testCount', 'batchSize', 'timedEpochs', 'seed']) need(Number.isInteger(x[key]) && (x[key] as number) >= (key === 'seed' ? 0 : 1), `${key} is not a whole number >= ${key === 'seed' ? 0 : 1}`);
  need(Number.isInteger(x.warmupEpochs) && (x.warmupEpochs as number) >= 0, 'warmupEpochs is not a whole number >= 0');
  for (const key of ['lr', 'flopPerSample', 'driverRssMB']) need(finite(x[key]) && (x[key] as number) > 0, `${key} is not a positive number`);
  const load = x.load;
  const triple = (t: unknown) => Array.isArray(t) && t.length === 3 && t.every((v) => finite(v) && v >= 0);
  need(isObject(load) && triple(load.start) && triple(load.end) && Number.isInteger(load.cores) && typeof load.busy === 'boolean', 'load is not { start: [3 numbers], end: [3 numbers], cores, busy }');
  if (!Array.isArray(x.rows) || x.rows.length === 0) {
    errors.push('rows is not a non-empty array');
  } else {
    x.rows.forEach((row: unknown, i: number) => errors.push(...validateRow(row, i, x.timedEpochs as number)));
    const first = x.rows[0] as Record<string, unknown>;
    need(isObject(first) && first.role === 'ours', 'the first row is not ours (every ratio is taken to it)');
    if (isObject(first) && !first.skipped) need(first.ratioToOurs === 1, 'the first row\'s ratioToOurs is not 1');
  }
  if (!Array.isArray(x.targets)) errors.push('targets is not an array');
  else
    x.targets.forEach((t: unknown, i: number) => {
      const ok = isObject(t) && typeof t.what === 'string' && (t.peer === null || typeof t.peer === 'string') && (t.value === null || finite(t.value)) && finite(t.limit) && (t.met === null || typeof t.met === 'boolean');
      need(ok, `targets[${i}] is not { what, peer, value, limit, met }`);
    });
  return errors;
}

const MEASURED = ['medianSeconds', 'samplesPerSecond', 'gflops', 'finalLoss', 'trainAccuracy', 'testAccuracy', 'ratioToOurs'] as const;

function validateRow(row: unknown, i: number, timedEpochs: number): string[] {
  if (!isObject(row)) return [`rows[${i}] is not an object`];
  const at = `rows[${i}] (${String(row.name)})`;
  const errors: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) errors.push(`${at}: ${what}`);
  };
  need(typeof row.name === 'string' && row.name !== '', 'name is not a non-empty string');
  need(row.role === 'ours' || row.role === 'reference' || row.role === 'peer', `role ${JSON.stringify(row.role)} is not ours, reference or peer`);
  need(typeof row.skipped === 'boolean', 'skipped is not a boolean');
  for (const key of ['adapter', 'notes']) need(row[key] === null || typeof row[key] === 'string', `${key} is neither a string nor null`);
  for (const key of ['rssMB', 'gpuBufferMB']) need(row[key] === null || (finite(row[key]) && (row[key] as number) >= 0), `${key} is neither a number >= 0 nor null`);
  if (!Array.isArray(row.epochs)) return [...errors, `${at}: epochs is not an array`];
  if (row.skipped) {
    need(row.epochs.length === 0, 'a skipped row has epochs');
    for (const key of MEASURED) need(row[key] === null, `a skipped row's ${key} is not null`);
    return errors;
  }
  need(row.epochs.length === timedEpochs, `${row.epochs.length} epochs, not the report's ${timedEpochs} timed epochs`);
  row.epochs.forEach((e: unknown, k: number) => {
    const ok = isObject(e) && finite(e.seconds) && e.seconds > 0 && finite(e.loss) && e.loss >= 0 && finite(e.trainAccuracy) && e.trainAccuracy >= 0 && e.trainAccuracy <= 1;
    need(ok, `epochs[${k}] is not { seconds > 0, loss >= 0, trainAccuracy in [0, 1] }`);
  });
  for (const key of MEASURED) need(finite(row[key]) && (row[key] as number) >= 0, `${key} is not a number >= 0`);
  for (const key of ['trainAccuracy', 'testAccuracy'] as const) need(!finite(row[key]) || (row[key] as number) <= 1, `${key} is above 1`);
  return errors;
}
