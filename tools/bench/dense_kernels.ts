/**
 * One dense contraction (a forward, input gradient or weight gradient of the template in shaders/linear.wgsl and
 * linear_subgroup.wgsl) set up to be timed alone: its buffers filled with seeded random values, any of the
 * template's three shapes made for it (as training makes it, or with other tiles), the median time of a few batches
 * of dispatches, and a check of its output against a CPU product. Shared by the matmul micro-benchmark (matmul.ts)
 * and the dense tile sweep (dense_sweep.ts).
 *
 * A problem is M x K x N as the template names it: M rows of the step, x: [M, K], W: [K, N].
 *   forward      out = x·W + b        [M, N]
 *   input_grad   dx = dy·Wᵀ           [M, K]   (no activation slope: ACT 0)
 *   weight_grad  dW = xᵀ·dy           [K, N]
 * Each is 2·M·K·N flops. `u8`: x is the resident u8 images read through the epoch's order and scaled by 1/255 (the
 * first layer's prologue), as the first layer of an MLP reads it.
 */
import type { Gpu } from '../../src/gpu/device.js';
import { COPY_DST, createBufferWith, MAP_READ } from '../../src/gpu/buffers.js';
import type { MlpTiles } from '../../src/gpu/tuning.js';
import type { BoundKernel } from '../../src/kernels/kernel.js';
import {
  createLinearForward,
  createLinearForwardU8,
  createLinearInputGrad,
  createLinearWeightGrad,
  createLinearWeightGradU8,
  type LinearVariant,
  linearForward,
  linearForwardTiled,
  linearForwardU8,
  linearForwardU8Tiled,
  linearInputGrad,
  linearInputGradTiled,
  linearWeightGrad,
  linearWeightGradTiled,
  linearWeightGradU8,
  linearWeightGradU8Tiled,
  sgWorkgroup,
  tiledConstants,
} from '../../src/kernels/linear.js';
import { linearForwardSubgroup, linearForwardU8Subgroup, linearInputGradSubgroup, linearWeightGradSubgroup, linearWeightGradU8Subgroup } from '../../src/kernels/linear_subgroup.js';
import { rowGroupsFor, subgroupSize } from '../../src/kernels/subgroups.js';
import { Rng } from '../../src/random.js';
import { StepSlots } from '../../src/train/steps.js';

export const COMPUTATIONS = ['forward', 'input_grad', 'weight_grad'] as const;
export type Computation = (typeof COMPUTATIONS)[number];

/** The template's shapes: register tiles (linear.wgsl), workgroup-memory tiles (its *_tiled entries), subgroup shuffles (linear_subgroup.wgsl). */
export const TEMPLATE_SHAPES = ['register', 'tiled', 'subgroup'] as const;
export type TemplateShape = (typeof TEMPLATE_SHAPES)[number];

/** The shapes' names in tables. */
export const SHAPE_TITLES: Record<TemplateShape, string> = { register: 'register tiles', tiled: 'workgroup memory', subgroup: 'subgroup shuffles' };

export interface DenseProblem {
  computation: Computation;
  /** Rows of the step (the batch). */
  M: number;
  K: number;
  N: number;
  /** x is the u8 images (the first layer's prologue); forward and weight_grad only. */
  u8?: boolean;
}

export const problemFlops = (p: DenseProblem): number => 2 * p.M * p.K * p.N;
export const problemName = (p: DenseProblem): string => `${p.computation}${p.u8 ? ' u8' : ''} ${p.M}x${p.K}x${p.N}`;

/**
 * Why the subgroup shape cannot run `p` on this adapter, or null: one known subgroup size, N % 4 == 0, and K % 4
 * (f32) or K % 16 (u8) where x is read (kernels/linear.ts subgroupFor; the input gradient reads no x).
 */
export function subgroupProblem(gpu: Gpu, p: DenseProblem): string | null {
  if (subgroupSize(gpu) === null) return 'the adapter has no single subgroup size';
  const kMultiple = p.computation === 'input_grad' ? 1 : p.u8 ? 16 : 4;
  if (p.N % 4 !== 0) return `N ${p.N} is not a multiple of 4`;
  if (p.K % kMultiple !== 0) return `K ${p.K} is not a multiple of ${kMultiple}`;
  return null;
}

const VARIANT: Record<TemplateShape, LinearVariant> = { register: 'generic', tiled: 'tiled', subgroup: 'subgroup' };

/**
 * `p` in `shape` exactly as training makes it (kernels/linear.ts createLinear*, the shipped tiles of gpu/tuning.ts
 * MLP_TILES); `auto`: in the shape training takes on this adapter.
 */
export function createShipped(gpu: Gpu, p: DenseProblem, shape: TemplateShape | 'auto'): Promise<BoundKernel<string>> {
  const s = { K: p.K, N: p.N };
  const v = { variant: shape === 'auto' ? 'auto' : VARIANT[shape] } as const;
  const k =
    p.computation === 'forward' ? (p.u8 ? createLinearForwardU8(gpu, s, p.M, {}, v) : createLinearForward(gpu, s, p.M, {}, v))
    : p.computation === 'input_grad' ? createLinearInputGrad(gpu, s, p.M, {}, v)
    : p.u8 ? createLinearWeightGradU8(gpu, s, p.M, v)
    : createLinearWeightGrad(gpu, s, p.M, v);
  return k as Promise<BoundKernel<string>>;
}

/** `p` in `shape` with the tiles `t` (a whole MlpTiles, of which the shape reads its part) instead of the shipped ones. */
export function createWithTiles(gpu: Gpu, p: DenseProblem, shape: TemplateShape, t: MlpTiles): Promise<BoundKernel<string>> {
  const s = { K: p.K, N: p.N };
  const rows = p.M;
  let k: Promise<BoundKernel<never>>;
  if (shape === 'tiled') {
    const constants = tiledConstants(t.tiled);
    k = p.computation === 'forward' ? (p.u8 ? linearForwardU8Tiled : linearForwardTiled).create(gpu, s, { rows, constants })
      : p.computation === 'input_grad' ? linearInputGradTiled.create(gpu, s, { rows, constants })
      : (p.u8 ? linearWeightGradU8Tiled : linearWeightGradTiled).create(gpu, s, { rows, constants });
  } else if (shape === 'subgroup') {
    const why = subgroupProblem(gpu, p);
    if (why) throw new RangeError(`no subgroup shape for ${problemName(p)}: ${why}`);
    const SG = subgroupSize(gpu)!;
    if (p.computation === 'forward') {
      k = (p.u8 ? linearForwardU8Subgroup : linearForwardSubgroup).create(gpu, s, { rows, workgroup: sgWorkgroup(t, SG, p.N / 4), constants: { SG, RG: rowGroupsFor(SG) } });
    } else if (p.computation === 'input_grad') {
      const TC = t.subgroups.kPerLane;
      k = linearInputGradSubgroup.create(gpu, s, { rows, workgroup: sgWorkgroup(t, SG, Math.ceil(p.K / TC)), constants: { SG, RG: rowGroupsFor(SG), TC } });
    } else {
      k = (p.u8 ? linearWeightGradU8Subgroup : linearWeightGradSubgroup).create(gpu, s, { rows, workgroup: sgWorkgroup(t, SG, p.N / 4), constants: { SG, TV: p.u8 ? t.subgroups.chunks : t.subgroups.words } });
    }
  } else if (p.computation === 'forward') {
    k = (p.u8 ? linearForwardU8 : linearForward).create(gpu, s, { rows, workgroup: t.forward.workgroup, constants: { TR: t.forward.rows, TC: t.forward.cols } });
  } else if (p.computation === 'input_grad') {
    k = linearInputGrad.create(gpu, s, { rows, workgroup: t.inputGrad.workgroup, constants: { TR: t.inputGrad.rows, TC: t.inputGrad.cols } });
  } else if (p.u8) {
    k = linearWeightGradU8.create(gpu, s, { rows, workgroup: t.weightGradU8.workgroup, constants: { TR: t.weightGradU8.words, TC: t.weightGradU8.cols } });
  } else {
    k = linearWeightGrad.create(gpu, s, { rows, workgroup: t.weightGrad.workgroup, constants: { TR: t.weightGrad.rows, TC: t.weightGrad.cols } });
  }
  return k as Promise<BoundKernel<string>>;
}

/** The kernel's pipeline label (shader.entry, as the profile names it) and its override values, for reports. */
export function describeKernel(k: BoundKernel<string>): { kernel: string; constants: Record<string, number> } {
  return { kernel: k.kernel.pipeline.label, constants: { ...k.constants } };
}

/** How a batch of dispatches is timed. */
export interface TimingOptions {
  /** Timed batches; the figure is their median. */
  batches: number;
  /** Dispatches per batch are chosen so that a batch takes about this long (at least 1 dispatch). */
  batchMs: number;
  /** At most this many dispatches per batch. */
  maxReps: number;
}

export interface Timing {
  /** Median over the batches of the ms per dispatch. */
  ms: number;
  /**
   * Median over the batches of the process's CPU ms per dispatch: on a CPU driver (lavapipe) its threads are the
   * process's, so this moves less than `ms` when other processes share the cores; on a GPU it is the host's part.
   */
  cpuMs: number;
  /** Dispatches per batch. */
  reps: number;
  /** ms per dispatch of each timed batch. */
  batchMs: number[];
}

/** The output's check against the CPU product. */
export interface CheckResult {
  /** Output rows compared (all of them, or a sample that holds the first and the last). */
  rows: number;
  /** Worst |gpu - cpu| / (sum of |terms| + 1e-6) over the compared entries. */
  worst: number;
  ok: boolean;
}

/**
 * Errors of an f32 sum of K products against the f64 sum grow like sqrt(K)·2⁻²⁴ of the terms' magnitude; relative
 * to the sum of |terms| they stay far below this bound, which a term skipped, counted twice or misplaced still
 * passes (one term of K is about 1/K of that sum: 1e-3 at K = 1024).
 */
export const CHECK_TOLERANCE = 1e-4;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Indices 0..n-1 when n <= count, else count of them spread over the range, the first and the last included. */
function sampleIndices(n: number, count: number): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  return [...new Set(Array.from({ length: count }, (_, i) => Math.round((i * (n - 1)) / (count - 1))))];
}

/**
 * Rows of the output compared with the CPU product, every column of each: at most 48, fewer where the product's
 * rows are long (at least the first and the last), so that the CPU's part stays near 2·10⁸ multiply-adds.
 */
const CHECK_ROWS = 48;
const CHECK_MACS = 2e8;

/**
 * Median ms per dispatch of `kernel` (bound to `group`, at the step `stepGroup`) over `o.batches` batches, after a
 * warm-up (lavapipe compiles at the first dispatch). A batch is `reps` dispatches in one compute pass and one
 * submit, timed from the submit to onSubmittedWorkDone (dispatch_timer.ts starts after the submit; this counts it,
 * in case a driver does work there). Shared by the dense kernels (DenseBench) and the convolutions (conv_problems.ts).
 */
export async function timeDispatches(gpu: Gpu, kernel: BoundKernel<string>, group: GPUBindGroup, stepGroup: GPUBindGroup, o: TimingOptions): Promise<Timing> {
  const { device } = gpu;
  const batch = async (reps: number) => {
    const encoder = device.createCommandEncoder({ label: 'bench dispatches' });
    const pass = encoder.beginComputePass();
    for (let i = 0; i < reps; i++) kernel.encode(pass, group, stepGroup);
    pass.end();
    const commands = encoder.finish();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    device.queue.submit([commands]);
    await device.queue.onSubmittedWorkDone();
    const cpu = process.cpuUsage(cpu0);
    return { wall: (performance.now() - t0) / reps, cpu: (cpu.user + cpu.system) / 1000 / reps };
  };
  await batch(1);
  const single = (await batch(1)).wall;
  const reps = Math.max(1, Math.min(o.maxReps, Math.ceil(o.batchMs / Math.max(single, 1e-3))));
  if (reps > 1) await batch(reps);
  const runs: Array<{ wall: number; cpu: number }> = [];
  for (let i = 0; i < o.batches; i++) runs.push(await batch(reps));
  const batchMs = runs.map((r) => r.wall);
  return { ms: median(batchMs), cpuMs: median(runs.map((r) => r.cpu)), reps, batchMs };
}

/**
 * A problem's buffers, filled once (seeded) and shared by every kernel timed on it: each of the template's shapes
 * binds the same names for one computation. `check` compares a kernel's output with the CPU product on CHECK_ROWS
 * rows of it (every column), computed once.
 */
export class DenseBench {
  private readonly buffers: Record<string, GPUBuffer>;
  private readonly outName: string;
  private readonly outRows: number;
  private readonly outCols: number;
  private readonly step: StepSlots;
  private readonly checkRows: number[];
  private expected?: { value: Float64Array; scale: Float64Array };
  // The host copies the CPU product reads.
  private readonly x?: Float32Array;
  private readonly pixels?: Uint8Array;
  private readonly order?: Uint32Array;
  private readonly w?: Float32Array;
  private readonly b?: Float32Array;
  private readonly dy?: Float32Array;

  constructor(
    private readonly gpu: Gpu,
    readonly problem: DenseProblem,
    seed = 1,
  ) {
    const { M, K, N, computation, u8 } = problem;
    if (u8 && computation === 'input_grad') throw new RangeError('input_grad reads no x: it has no u8 form');
    if (u8 && K % 4 !== 0) throw new RangeError(`a u8 x needs K a multiple of 4 (pixels packed 4 per word), not ${K}`);
    const device = gpu.device;
    const rng = new Rng(seed);
    const floats = (n: number) => Float32Array.from({ length: n }, () => rng.uniform() - 0.5);
    const up = (label: string, data: ArrayBufferView) => createBufferWith(device, `dense bench ${label}`, data);
    const b: Record<string, GPUBuffer> = {};
    if (computation !== 'input_grad') {
      if (u8) {
        this.pixels = Uint8Array.from({ length: M * K }, () => rng.int(256));
        // The step's rows in a shuffled order, as an epoch reads them.
        this.order = Uint32Array.from({ length: M }, (_, i) => i);
        for (let i = M - 1; i > 0; i--) {
          const j = rng.int(i + 1);
          [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
        }
        b.images = up('images', new Uint32Array(this.pixels.buffer));
        b.order = up('order', this.order);
        if (computation === 'forward') {
          b.labels = up('labels', Uint32Array.from({ length: M }, () => rng.int(10)));
          b.y = up('y', new Uint32Array(M));
        }
      } else {
        this.x = floats(M * K);
        b.x = up('x', this.x);
      }
    }
    if (computation !== 'weight_grad') {
      this.w = floats(K * N);
      b.w = up('w', this.w);
    }
    if (computation === 'forward') {
      this.b = floats(N);
      b.b = up('b', this.b);
      b.out = up('out', new Float32Array(M * N));
      [this.outName, this.outRows, this.outCols] = ['out', M, N];
    } else {
      this.dy = floats(M * N);
      b.dy = up('dy', this.dy);
      if (computation === 'input_grad') {
        b.h = up('h', new Float32Array(M * K)); // read only where ACT != 0: bound, never read here
        b.dx = up('dx', new Float32Array(M * K));
        [this.outName, this.outRows, this.outCols] = ['dx', M, K];
      } else {
        b.dw = up('dw', new Float32Array(K * N));
        [this.outName, this.outRows, this.outCols] = ['dw', K, N];
      }
    }
    this.buffers = b;
    this.step = StepSlots.create(device, [{ row0: 0, rows: M }], 'dense bench step');
    const inner = computation === 'forward' ? K : computation === 'input_grad' ? N : M;
    this.checkRows = sampleIndices(this.outRows, Math.max(2, Math.min(CHECK_ROWS, Math.floor(CHECK_MACS / (inner * this.outCols)))));
  }

  bind(kernel: BoundKernel<string>): GPUBindGroup {
    return kernel.bind(this.buffers, `dense bench ${problemName(this.problem)}`);
  }

  /** Median ms per dispatch of `kernel` on this problem's buffers (timeDispatches). */
  async time(kernel: BoundKernel<string>, o: TimingOptions): Promise<Timing> {
    return timeDispatches(this.gpu, kernel, this.bind(kernel), this.step.groups[0], o);
  }

  /** Clears the output, runs `kernel` once and compares the check rows with the CPU product. */
  async check(kernel: BoundKernel<string>): Promise<CheckResult> {
    const { device } = this.gpu;
    const out = this.buffers[this.outName];
    const rowBytes = this.outCols * 4;
    const staging = device.createBuffer({ label: 'dense bench check', size: this.checkRows.length * rowBytes, usage: MAP_READ | COPY_DST });
    const encoder = device.createCommandEncoder({ label: 'dense bench check' });
    // A kernel that wrote nothing must not pass on what the last one left.
    encoder.clearBuffer(out);
    const pass = encoder.beginComputePass();
    kernel.encode(pass, this.bind(kernel), this.step.groups[0]);
    pass.end();
    this.checkRows.forEach((r, i) => encoder.copyBufferToBuffer(out, r * rowBytes, staging, i * rowBytes, rowBytes));
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(0x0001 /* GPUMapMode.READ */);
    const got = new Float32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    return { rows: this.checkRows.length, ...compareWithProduct(got, this.cpuProduct()) };
  }

  /** The CPU product (f64) at the check rows, with the sum of |terms| of each entry (the error's scale). */
  cpuProduct(): { value: Float64Array; scale: Float64Array } {
    if (this.expected) return this.expected;
    const { M, K, N, computation } = this.problem;
    const C = this.outCols;
    const value = new Float64Array(this.checkRows.length * C);
    const scale = new Float64Array(this.checkRows.length * C);
    // x[r, k] as the kernel reads it: the f32 input, or the u8 pixel of the step's r-th sample / 255.
    const xAt = this.x ? (r: number, k: number) => this.x![r * K + k] : (r: number, k: number) => this.pixels![this.order![r] * K + k] / 255;
    this.checkRows.forEach((row, i) => {
      const o = i * C;
      if (computation === 'forward') {
        for (let k = 0; k < K; k++) {
          const xv = xAt(row, k);
          for (let n = 0; n < N; n++) {
            const t = xv * this.w![k * N + n];
            value[o + n] += t;
            scale[o + n] += Math.abs(t);
          }
        }
        for (let n = 0; n < N; n++) {
          value[o + n] += this.b![n];
          scale[o + n] += Math.abs(this.b![n]);
        }
      } else if (computation === 'input_grad') {
        for (let k = 0; k < K; k++) {
          let v = 0;
          let s = 0;
          for (let n = 0; n < N; n++) {
            const t = this.dy![row * N + n] * this.w![k * N + n];
            v += t;
            s += Math.abs(t);
          }
          value[o + k] = v;
          scale[o + k] = s;
        }
      } else {
        // Row `row` of dW is k = row: sum over the step's rows of x[r, k]·dy[r, :].
        for (let r = 0; r < M; r++) {
          const xv = xAt(r, row);
          for (let n = 0; n < N; n++) {
            const t = xv * this.dy![r * N + n];
            value[o + n] += t;
            scale[o + n] += Math.abs(t);
          }
        }
      }
    });
    this.expected = { value, scale };
    return this.expected;
  }

  destroy(): void {
    for (const b of Object.values(this.buffers)) b.destroy();
    this.step.destroy();
  }
}

/** `got` (the check rows of a kernel's output) against the CPU product: the worst error relative to its entry's scale. */
export function compareWithProduct(got: ArrayLike<number>, expected: { value: Float64Array; scale: Float64Array }): Omit<CheckResult, 'rows'> {
  let worst = 0;
  for (let i = 0; i < expected.value.length; i++) {
    const e = Math.abs(got[i] - expected.value[i]) / (expected.scale[i] + 1e-6);
    // NaN (a kernel that wrote garbage) counts as the worst error there is.
    worst = Number.isNaN(e) ? Infinity : Math.max(worst, e);
  }
  return { worst, ok: worst <= CHECK_TOLERANCE };
}
