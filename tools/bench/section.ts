/**
 * What every model section of `npm run bench` shares: which contenders run (selectContenders, the one place that
 * reads --only, --no-peers and --no-reference), and the run itself (runSection): one warm-up epoch each, then the
 * timed epochs round the contenders in a rotating order, so drift of the machine's speed falls on all of them
 * alike; a markdown table, the section's targets, the load average at the start and the end, and one JSON report
 * (schema.ts). A section (softmax.ts, mlp.ts, lenet.ts) only says what it trains and who trains it.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { formatProfile } from '../../src/cli/format.js';
import { ChildContender } from './child.js';
import { type BenchData, type Contender, type EpochResult, loadBenchData, peakRssMB } from './contender.js';
import { OursContender } from './ours.js';
import { BENCH_SCHEMA, type BenchReport, type BenchRow, type ContenderRole, type LoadRecord, loadNote, type TargetResult, validateBenchReport } from './schema.js';

/** Options that decide a section's contenders and their settings (the bench's flags). */
export interface SectionOptions {
  /** PyTorch's devices, one contender each. */
  devices: Array<'cpu' | 'cuda'>;
  /** PyTorch's CPU threads. */
  threads: number;
  /** PyTorch: also try torch.compile (softmax only). */
  compile: boolean;
  /** LeNet's activation (sigmoid, relu) and pooling (avg, max). */
  activation: string;
  pool: string;
  /** --resize: the side the chapter 7 models' images are resized to (default: the section's setting's). */
  resize?: number;
  /**
   * --gpu-setting: the setting for a GPU machine (tools/gpu-bench/run passes it there): the chapter 7 models at
   * the book's size on every sample, and each section's `gpuEpochs`.
   */
  gpuSetting: boolean;
}

export const DEFAULT_SECTION_OPTIONS: SectionOptions = { devices: ['cpu'], threads: 1, compile: false, activation: 'sigmoid', pool: 'avg', gpuSetting: false };

/** A contender the section could run: its name (what --only matches), its role, and how to make it. */
export interface ContenderEntry {
  name: string;
  role: ContenderRole;
  /** Why the section itself leaves it out (a peer not written for this model, or one that would take hours), if it does. */
  leftOut?: string;
  /** Called only for the contenders that run: a peer's process starts in its setup, never before. */
  make(): Contender;
}

/** A ratio the section checks: ours (the first row) / the first row whose name contains `peer`. */
export interface Target {
  what: string;
  peer: string;
  limit: number;
  /** seconds (default): ours / peer per epoch; lossGap: |ours' final loss - peer's|. */
  measure?: 'seconds' | 'lossGap';
}

export interface Section {
  model: string;
  description: string;
  /** Flops per training sample, for GFLOP/s. */
  flopPerSample: number;
  /** Flops per training sample where they depend on the options (the chapter 7 models' --resize); else flopPerSample. */
  flops?(opts: SectionOptions): number;
  /** A line under the table saying what flopPerSample counts, if it needs saying. */
  flopNote?: string;
  /** Timed epochs when --epochs is not given. */
  defaultEpochs: number;
  /** Timed epochs with --gpu-setting when --epochs is not given (default 3). */
  gpuEpochs?: number;
  /** Warm-up epochs when --warmup is not given (default 1). */
  defaultWarmup?: number;
  lr(opts: SectionOptions): number;
  /** The minibatch size (default the bench's 256). */
  batchSize?(opts: SectionOptions): number;
  /** Training and test samples when --train-count (--limit) is not given (default all). */
  samples?(opts: SectionOptions): { train?: number; test?: number };
  /** Every contender this section knows, ours first: the first always runs (every ratio is taken to it). */
  contenders(opts: SectionOptions): ContenderEntry[];
  targets: Target[];
  /** The section's own settings, recorded in the report (e.g. LeNet's activation and pool). */
  settings(opts: SectionOptions): Record<string, string>;
}

export interface Selection {
  run: ContenderEntry[];
  leftOut: Array<{ entry: ContenderEntry; why: string }>;
}

export interface SelectOptions {
  /** --only: keep the contenders whose name contains any of these words (any case); empty keeps all. */
  only: string[];
  /** --no-peers makes it false. */
  peers: boolean;
  /** --no-reference makes it false. */
  reference: boolean;
}

/** Which of a section's contenders run: the first always; the others unless a flag leaves them out. */
export function selectContenders(entries: ContenderEntry[], opts: SelectOptions): Selection {
  const selection: Selection = { run: [], leftOut: [] };
  const words = opts.only.map((w) => w.toLowerCase()).filter(Boolean);
  entries.forEach((entry, i) => {
    let why: string | null = null;
    if (i > 0 && entry.leftOut) why = entry.leftOut;
    else if (i > 0 && entry.role === 'peer' && !opts.peers) why = '--no-peers';
    else if (i > 0 && entry.role === 'reference' && !opts.reference) why = '--no-reference';
    else if (i > 0 && words.length > 0 && !words.some((w) => entry.name.toLowerCase().includes(w))) why = `--only ${opts.only.join(',')}`;
    if (why) selection.leftOut.push({ entry, why });
    else selection.run.push(entry);
  });
  return selection;
}

/** The words of --only that name no contender of any of `sections` (a typo, most likely). */
export function unknownOnlyWords(only: string[], sections: Section[], opts: SectionOptions): string[] {
  const names = sections.flatMap((s) => s.contenders(opts).map((e) => e.name.toLowerCase()));
  return only.filter((w) => w && !names.some((n) => n.includes(w.toLowerCase())));
}

/** The plan --plan prints: what would run and what is left out, and why. */
export function formatSelection(section: Section, selection: Selection, opts: SectionOptions = DEFAULT_SECTION_OPTIONS): string {
  const settings = Object.entries(section.settings(opts));
  return [
    `model ${section.model}: ${section.description}`,
    ...(settings.length > 0 ? [`settings: ${settings.map(([k, v]) => `${k} ${v}`).join(', ')}`] : []),
    ...selection.run.map((e) => `run: ${e.name}`),
    ...selection.leftOut.map(({ entry, why }) => `left out: ${entry.name} (${why})`),
  ].join('\n');
}

export interface RunOptions extends SelectOptions {
  timedEpochs: number;
  warmupEpochs: number;
  trainCount?: number;
  profile?: boolean;
  json?: string;
  section: SectionOptions;
  /** The data; default Fashion-MNIST through loadBenchData with the section's lr. */
  data?: BenchData;
  /** Where the table goes (default console.log) and the progress (default console.error). */
  out?: (line: string) => void;
  log?: (line: string) => void;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** NaN and infinities as null, as JSON would write them anyway. */
const num = (x: number): number | null => (Number.isFinite(x) ? x : null);
const triple = (t: number[]): [number, number, number] => [t[0], t[1], t[2]];

/** Runs a section and returns its report (written to opts.json if given, after validating it). */
export async function runSection(section: Section, opts: RunOptions): Promise<BenchReport> {
  const out = opts.out ?? ((line: string) => console.log(line));
  const log = opts.log ?? ((line: string) => console.error(line));
  const loadStart = triple(loadavg());
  const selection = selectContenders(section.contenders(opts.section), opts);
  const samples = section.samples?.(opts.section) ?? {};
  const data = opts.data ?? (await loadBenchData({ trainCount: opts.trainCount ?? samples.train, testCount: samples.test, lr: section.lr(opts.section), batchSize: section.batchSize?.(opts.section) }));
  const flopPerSample = section.flops?.(opts.section) ?? section.flopPerSample;
  const cpu = `${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}`;
  log(`bench ${section.model} on ${cpu}: ${data.trainCount} training samples, batch ${data.batchSize}, lr ${data.lr}, ${opts.warmupEpochs} warm-up + ${opts.timedEpochs} timed epochs, load average ${loadStart.map((l) => l.toFixed(2)).join(' ')}`);
  for (const { entry, why } of selection.leftOut) log(`left out: ${entry.name} (${why})`);

  const list = selection.run.map((entry) => ({ entry, contender: entry.make() }));
  for (const { contender } of list) {
    log(`setting up ${contender.name}...`);
    await contender.setup(data);
  }
  const active = list.filter(({ contender }) => !contender.skipped).map(({ contender }) => contender);
  const results = new Map<Contender, EpochResult[]>(active.map((c) => [c, []]));
  for (let e = 0; e < opts.warmupEpochs + opts.timedEpochs; e++) {
    // Rotate who goes first so no contender always runs right after the same neighbour.
    for (let k = 0; k < active.length; k++) {
      const c = active[(k + e) % active.length];
      const r = await c.trainEpoch(e);
      if (e >= opts.warmupEpochs) results.get(c)!.push(r);
      log(`  epoch ${e + 1}${e < opts.warmupEpochs ? ' (warm-up)' : ''} ${c.name}: ${r.seconds.toFixed(3)} s, loss ${r.loss.toFixed(4)}, train acc ${r.trainAccuracy.toFixed(3)}`);
    }
  }
  const base = list[0].contender;
  if (opts.profile && base instanceof OursContender) {
    out(`\nGPU time per kernel, one epoch of ${base.name}:\n${formatProfile(await base.profileEpoch(opts.warmupEpochs + opts.timedEpochs))}\n`);
  }

  const rows: BenchRow[] = [];
  for (const { entry, contender: c } of list) {
    const epochs = results.get(c) ?? [];
    const testAccuracy = c.skipped ? NaN : await c.testAccuracy();
    await c.dispose();
    const seconds = median(epochs.map((r) => r.seconds));
    const skipped = Boolean(c.skipped);
    rows.push({
      name: c.name,
      role: entry.role,
      skipped,
      adapter: c.adapter ?? null,
      notes: c.notes ?? null,
      epochs,
      medianSeconds: num(seconds),
      samplesPerSecond: num(data.trainCount / seconds),
      gflops: num((flopPerSample * data.trainCount) / seconds / 1e9),
      finalLoss: num(epochs.at(-1)?.loss ?? NaN),
      trainAccuracy: num(epochs.at(-1)?.trainAccuracy ?? NaN),
      testAccuracy: num(testAccuracy),
      ratioToOurs: null,
      rssMB: c instanceof ChildContender ? (c.rssMB ?? null) : null,
      gpuBufferMB: c instanceof OursContender ? c.gpuBytes / 2 ** 20 : null,
    });
  }
  const oursSeconds = rows[0].medianSeconds;
  for (const r of rows) r.ratioToOurs = r.medianSeconds !== null && oursSeconds !== null ? r.medianSeconds / oursSeconds : null;
  const targets = section.targets.map((t) => checkTarget(t, rows));
  const cores = cpus().length;
  const loadEnd = triple(loadavg());
  const load: LoadRecord = { start: loadStart, end: loadEnd, cores, busy: loadNote({ start: loadStart, end: loadEnd, cores }) !== null };
  const report: BenchReport = {
    schema: BENCH_SCHEMA,
    model: section.model,
    description: section.description,
    settings: section.settings(opts.section),
    date: new Date().toISOString(),
    node: process.version,
    cpu,
    adapter: rows[0].adapter,
    trainCount: data.trainCount,
    testCount: data.testCount,
    batchSize: data.batchSize,
    lr: data.lr,
    seed: data.seed,
    warmupEpochs: opts.warmupEpochs,
    timedEpochs: opts.timedEpochs,
    flopPerSample,
    load,
    driverRssMB: peakRssMB(),
    rows,
    targets,
  };
  for (const line of formatReport(report, section)) out(line);
  if (opts.json) {
    const errors = validateBenchReport(JSON.parse(JSON.stringify(report)));
    if (errors.length > 0) throw new Error(`bench: the ${section.model} report does not fit its schema (tools/bench/schema.ts): ${errors.join('; ')}`);
    writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${opts.json}`);
  }
  return report;
}

function checkTarget(t: Target, rows: BenchRow[]): TargetResult {
  const ours = rows[0];
  const peer = rows.find((r, i) => i > 0 && !r.skipped && r.name.includes(t.peer));
  let value: number | null = null;
  if (peer && !ours.skipped) {
    value = t.measure === 'lossGap' ? Math.abs(ours.finalLoss! - peer.finalLoss!) : ours.medianSeconds! / peer.medianSeconds!;
  }
  return { what: t.what, peer: peer?.name ?? null, value: value === null ? null : num(value), limit: t.limit, met: value === null ? null : value <= t.limit };
}

/** The report as the bench prints it: the table, the targets, the load average (and its warning). */
export function formatReport(report: BenchReport, section: Pick<Section, 'flopNote'>): string[] {
  const fmt = (x: number | null, d: number) => (x === null ? '-' : x.toFixed(d));
  const lines = [
    `${report.cpu}, node ${report.node}, ${report.date}${Object.keys(report.settings).length ? `, ${Object.entries(report.settings).map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}`,
    '',
    '| contender | s/epoch (median) | samples/s | GFLOP/s | final train loss | train acc | test acc | x ours | peak RSS MB | notes |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...report.rows.map((r) =>
      r.skipped
        ? `| ${r.name} | - | - | - | - | - | - | - | - | ${r.notes ?? 'skipped'} |`
        : `| ${r.name} | ${fmt(r.medianSeconds, 3)} | ${fmt(r.samplesPerSecond, 0)} | ${fmt(r.gflops, 2)} | ${fmt(r.finalLoss, 4)} | ${fmt(r.trainAccuracy, 3)} | ${fmt(r.testAccuracy, 3)} | ${fmt(r.ratioToOurs, 2)} | ${r.rssMB ?? `${report.driverRssMB} (driver)`} | ${[r.adapter, r.notes, r.gpuBufferMB !== null ? `GPU buffers ${r.gpuBufferMB.toFixed(1)} MiB` : null].filter(Boolean).join('; ')} |`,
    ),
  ];
  if (section.flopNote) lines.push('', section.flopNote);
  if (report.targets.length > 0) {
    lines.push('', 'targets:');
    for (const t of report.targets) {
      if (t.value === null) lines.push(`- ${t.what}: not measured (contender absent or skipped)`);
      else lines.push(`- ${t.what}: ${t.value.toFixed(3)} -> ${t.met ? 'met' : 'NOT met'}`);
    }
  }
  const { start, end, cores } = report.load;
  lines.push('', `load average (1, 5, 15 min): ${start.map((l) => l.toFixed(2)).join(' ')} at the start, ${end.map((l) => l.toFixed(2)).join(' ')} at the end, ${cores} cores`);
  const warning = loadNote(report.load);
  if (warning) lines.push(warning);
  return lines;
}
