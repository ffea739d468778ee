/**
 * The per-step uniform every minibatch kernel reads at @group(1): Step { row0, rows, index, epoch, batch }
 * (shaders/prelude/step.wgsl). An epoch's steps are known up front (step i covers positions
 * [i * B, min((i + 1) * B, count))), so all slots are written when the trainer is built, and each step only
 * binds its slot: nothing is written or read per step, and a whole epoch can be recorded in advance. Only
 * `epoch` changes, rewritten with one write per epoch.
 * A step whose activations would not fit one storage binding runs as chunks of rows (chunkSteps), one slot each:
 * `rows` is the chunk's, `batch` the whole step's (the mean loss's denominator), so the chunks' gradients sum to
 * the step's (train/gradient_chunks.ts).
 */
import { COPY_DST, createBufferWith, UNIFORM } from '../gpu/buffers.js';

/** WebGPU's minUniformBufferOffsetAlignment is at most 256, so one slot per 256 bytes fits every adapter. */
export const STEP_SLOT_BYTES = 256;
/** The Step struct's size: five u32. */
const STEP_BYTES = 20;

export interface StepRange {
  row0: number;
  rows: number;
  /** Rows of the whole minibatch this range is a chunk of (default `rows`: the whole step). */
  batch?: number;
}

/**
 * `steps` cut into chunks of at most `chunkRows` rows, in order, each knowing its step's rows (`batch`); with
 * `first[i]`, the index of step i's first chunk (first[steps.length] = the chunk count).
 */
export function chunkSteps(steps: readonly StepRange[], chunkRows: number): { chunks: StepRange[]; first: number[] } {
  const chunks: StepRange[] = [];
  const first: number[] = [];
  for (const s of steps) {
    first.push(chunks.length);
    for (let r = 0; r < s.rows; r += chunkRows) chunks.push({ row0: s.row0 + r, rows: Math.min(chunkRows, s.rows - r), batch: s.rows });
  }
  first.push(chunks.length);
  return { chunks, first };
}

/** d2l's DataLoader(drop_last=False): ceil(count / batchSize) steps, the last one possibly partial. */
export function epochSteps(count: number, batchSize: number): StepRange[] {
  const steps: StepRange[] = [];
  for (let row0 = 0; row0 < count; row0 += batchSize) steps.push({ row0, rows: Math.min(batchSize, count - row0) });
  return steps;
}

/** The @group(1) layout of every kernel with a Step: one uniform. Layouts with equal entries are interchangeable. */
export function stepLayout(device: GPUDevice): GPUBindGroupLayout {
  return device.createBindGroupLayout({ label: 'step', entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } }] });
}

export class StepSlots {
  private constructor(
    readonly buffer: GPUBuffer,
    /** groups[i] binds slot i at @group(1). */
    readonly groups: GPUBindGroup[],
    readonly ranges: StepRange[],
    private readonly words: Uint32Array<ArrayBuffer>,
  ) {}

  static create(device: GPUDevice, ranges: StepRange[], label = 'steps'): StepSlots {
    const words = new Uint32Array((Math.max(1, ranges.length) * STEP_SLOT_BYTES) / 4);
    ranges.forEach((s, i) => words.set([s.row0, s.rows, i, 0, s.batch ?? s.rows], (i * STEP_SLOT_BYTES) / 4));
    // steps: [slots] x Step { row0, rows, index, epoch, batch } u32 at a 256-byte stride
    const buffer = createBufferWith(device, label, words, UNIFORM | COPY_DST);
    const layout = stepLayout(device);
    const groups = ranges.map((_, i) =>
      device.createBindGroup({
        label: `${label}[${i}]`,
        layout,
        entries: [{ binding: 0, resource: { buffer, offset: i * STEP_SLOT_BYTES, size: STEP_BYTES } }],
      }),
    );
    return new StepSlots(buffer, groups, ranges, words);
  }

  /** Sets every slot's `epoch` (0-based): one write, queued before the epoch's steps. */
  setEpoch(queue: GPUQueue, epoch: number): void {
    for (let i = 0; i < this.ranges.length; i++) this.words[(i * STEP_SLOT_BYTES) / 4 + 3] = epoch;
    queue.writeBuffer(this.buffer, 0, this.words);
  }

  destroy(): void {
    this.buffer.destroy();
  }
}
