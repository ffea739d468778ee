/**
 * `npm run bench -- --sweep`: times the fused kernels' shapes (FUSED_SHAPES in src/gpu/tuning.ts:
 * forward workgroup size and rows per invocation, update workgroup size) on this adapter and prints the best.
 * It is how a run on a new kind of GPU picks that kind's tuning (tools/gpu-bench/run runs it there).
 *
 * Two phases, because the two kernels are independent dispatches and a full grid would be 4x longer:
 *   1. every forward shape, with the update kernel at the adapter kind's default;
 *   2. the fastest forward shape with every update workgroup, plus the shipped default as the yardstick.
 * Within a phase every candidate keeps its own trainer (and dataset copy) alive, and the timed epochs go round
 * the candidates in rotating order, as the bench does, so drift of the machine falls on all alike.
 * Every shape computes the same math: a candidate whose loss strays from the default's is reported as wrong
 * and never chosen, whatever its speed.
 */
import { describeAdapter, type Gpu } from '../../src/gpu/device.js';
import { createNodeGpu } from '../../src/gpu/node.js';
import { FUSED_MAX_ROWS } from '../../src/kernels/fused_forward_loss_grad.js';
import { fashionMnistSpec, modelDefinition } from '../../src/model/registry.js';
import { FUSED_SHAPES, type FusedShapes, isCpuAdapter } from '../../src/gpu/tuning.js';
import { Trainer } from '../../src/train/trainer.js';
import type { BenchData } from './contender.js';

export interface SweepOptions {
  /** Timed epochs per candidate, after one warm-up epoch (which also compiles the candidate's pipelines). */
  epochs: number;
  forwardWorkgroups?: number[];
  rows?: number[];
  updateWorkgroups?: number[];
  log?: (line: string) => void;
}

export interface SweepRow {
  phase: 1 | 2;
  shapes: FusedShapes;
  /** Seconds of each timed epoch. */
  epochs: number[];
  /** The fastest timed epoch: the least disturbed by whatever else the machine did. */
  bestSeconds: number;
  /** Mean loss of the last timed epoch. */
  loss: number;
  isDefault: boolean;
  /** The loss strayed from the default's: a wrong kernel for this shape, never chosen. */
  wrong: boolean;
}

export interface SweepResult {
  adapter: string;
  kind: 'cpu' | 'gpu';
  trainCount: number;
  epochs: number;
  default: FusedShapes;
  rows: SweepRow[];
  best: SweepRow;
  /** best / default, both timed in phase 2. */
  ratioToDefault: number;
}

// Candidates per adapter kind. A CPU driver runs a workgroup as SIMD lanes on one thread, so small workgroups
// with many rows each; a GPU wants at least a warp (32) or wavefront (64) per workgroup.
const CANDIDATES = {
  cpu: { forwardWorkgroups: [8, 16, 32], rows: [4, 8], updateWorkgroups: [8, 16, 32] },
  gpu: { forwardWorkgroups: [32, 64, 128, 256], rows: [1, 2, 4, 8], updateWorkgroups: [32, 64, 128, 256] },
};

// Shapes differ only in summation order inside a kernel, so losses agree to f32 rounding (~1e-6 here);
// this bound is loose enough for that and tight enough to catch a row or a pixel skipped or counted twice.
const LOSS_TOLERANCE = 1e-3;

const same = (a: FusedShapes, b: FusedShapes) =>
  a.forward.workgroup === b.forward.workgroup && a.forward.rows === b.forward.rows && a.update.workgroup === b.update.workgroup;

export const describeShapes = (s: FusedShapes) => `forward workgroup ${s.forward.workgroup} with ${s.forward.rows} rows per invocation, update workgroup ${s.update.workgroup}`;

export async function sweepFusedShapes(data: BenchData, options: SweepOptions): Promise<SweepResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const gpu = await createNodeGpu();
  try {
    const kind = isCpuAdapter(gpu.adapterInfo) ? 'cpu' : 'gpu';
    const def = FUSED_SHAPES[kind];
    const maxWorkgroup = Math.min(gpu.device.limits.maxComputeInvocationsPerWorkgroup, gpu.device.limits.maxComputeWorkgroupSizeX);
    const pick = (given: number[] | undefined, fallback: number[], what: string, ok: (n: number) => boolean) => {
      const list = [...new Set(given ?? fallback)];
      const bad = list.filter((n) => !Number.isInteger(n) || !ok(n));
      if (bad.length) throw new Error(`--sweep: ${what} ${bad.join(',')} not allowed on this adapter (see --help)`);
      return list;
    };
    const fitsWorkgroup = (n: number) => n >= 1 && n <= maxWorkgroup;
    const forwardWorkgroups = pick(options.forwardWorkgroups, CANDIDATES[kind].forwardWorkgroups, 'forward workgroups', fitsWorkgroup);
    const rows = pick(options.rows, CANDIDATES[kind].rows, 'rows per invocation', (n) => n >= 1 && n <= FUSED_MAX_ROWS);
    const updateWorkgroups = pick(options.updateWorkgroups, CANDIDATES[kind].updateWorkgroups, 'update workgroups', fitsWorkgroup);
    const adapter = describeAdapter(gpu.adapterInfo);
    log(`sweep on ${adapter} (${kind} kind; shipped default ${describeShapes(def)}), ${data.trainCount} samples, 1 warm-up + ${options.epochs} timed epochs per candidate`);

    const phase1: FusedShapes[] = [def];
    for (const workgroup of forwardWorkgroups)
      for (const r of rows) {
        const s = { forward: { workgroup, rows: r }, update: def.update };
        if (!phase1.some((t) => same(t, s))) phase1.push(s);
      }
    const rows1 = await timeCandidates(gpu, data, phase1, 1, def, options.epochs, log);
    const bestForward = fastest(rows1).shapes.forward;

    const phase2: FusedShapes[] = [def];
    for (const workgroup of [def.update.workgroup, ...updateWorkgroups]) {
      const s = { forward: bestForward, update: { workgroup } };
      if (!phase2.some((t) => same(t, s))) phase2.push(s);
    }
    const rows2 = await timeCandidates(gpu, data, phase2, 2, def, options.epochs, log);
    const best = fastest(rows2);
    const reference = rows2.find((r) => r.isDefault)!;
    return { adapter, kind, trainCount: data.trainCount, epochs: options.epochs, default: def, rows: [...rows1, ...rows2], best, ratioToDefault: best.bestSeconds / reference.bestSeconds };
  } finally {
    gpu.device.destroy();
  }
}

function fastest(rows: SweepRow[]): SweepRow {
  const ok = rows.filter((r) => !r.wrong && Number.isFinite(r.bestSeconds));
  if (ok.length === 0) throw new Error('--sweep: no candidate trained correctly; run the kernel tests (npx vitest run test/kernels)');
  return ok.reduce((a, b) => (b.bestSeconds < a.bestSeconds ? b : a));
}

async function timeCandidates(gpu: Gpu, data: BenchData, candidates: FusedShapes[], phase: 1 | 2, def: FusedShapes, epochs: number, log: (line: string) => void): Promise<SweepRow[]> {
  const split = { images: data.trainImages, labels: data.trainLabels, count: data.trainCount };
  const config = { lr: data.lr, batchSize: data.batchSize, seed: data.seed };
  const spec = fashionMnistSpec('scratch', { kernels: 'fused' });
  const trainers: Trainer[] = [];
  try {
    for (const shapes of candidates) trainers.push(await Trainer.create(gpu, { train: split }, spec, modelDefinition(spec.kind).init(spec, data.seed), { ...config, tuning: { fused: shapes } }));
    const rows: SweepRow[] = candidates.map((shapes) => ({ phase, shapes, epochs: [], bestSeconds: NaN, loss: NaN, isDefault: same(shapes, def), wrong: false }));
    // Epoch 0 is the warm-up: pipelines compile (lavapipe: seconds) and caches fill.
    for (let e = 0; e <= epochs; e++) {
      for (let k = 0; k < trainers.length; k++) {
        const i = (k + e) % trainers.length;
        const m = await trainers[i].trainEpoch(e);
        if (e > 0) rows[i].epochs.push(m.seconds);
        rows[i].loss = m.loss;
      }
    }
    const reference = rows[0].loss; // candidates[0] is the default in both phases
    for (const r of rows) {
      r.bestSeconds = Math.min(...r.epochs);
      r.wrong = !(Math.abs(r.loss - reference) <= LOSS_TOLERANCE);
      log(`  phase ${phase} ${describeShapes(r.shapes)}: ${r.epochs.map((s) => s.toFixed(4)).join(' ')} s, loss ${r.loss.toFixed(5)}${r.wrong ? ' WRONG' : ''}`);
    }
    return rows;
  } finally {
    for (const t of trainers) t.destroy();
  }
}

/** The sweep as markdown: one row per candidate, then the choice and the line that adopts it. */
export function formatSweep(r: SweepResult): string {
  const phase2Default = r.rows.find((x) => x.phase === 2 && x.isDefault)!;
  const lines = [
    `Fused kernel shapes on ${r.adapter} (${r.kind} kind), ${r.trainCount} samples, best of ${r.epochs} timed epoch(s) each:`,
    '',
    '| phase | forward workgroup | rows/invocation | update workgroup | s/epoch (best) | x default | final loss | |',
    '|---:|---:|---:|---:|---:|---:|---:|---|',
    ...r.rows.map((x) => {
      const yardstick = x.phase === 2 ? phase2Default : r.rows.find((y) => y.phase === 1 && y.isDefault)!;
      const mark = [x.isDefault ? 'shipped default' : '', x === r.best ? '**best**' : '', x.wrong ? 'WRONG loss' : ''].filter(Boolean).join(', ');
      return `| ${x.phase} | ${x.shapes.forward.workgroup} | ${x.shapes.forward.rows} | ${x.shapes.update.workgroup} | ${x.bestSeconds.toFixed(4)} | ${(x.bestSeconds / yardstick.bestSeconds).toFixed(2)} | ${x.loss.toFixed(5)} | ${mark} |`;
    }),
    '',
    `best: ${describeShapes(r.best.shapes)}: ${r.best.bestSeconds.toFixed(4)} s/epoch, ${r.ratioToDefault.toFixed(2)}x the shipped ${r.kind} default (${describeShapes(r.default)})`,
    `to adopt it: FUSED_SHAPES.${r.kind} = ${JSON.stringify(r.best.shapes).replace(/"/g, '').replace(/:/g, ': ').replace(/,/g, ', ')}`,
  ];
  return lines.join('\n');
}
