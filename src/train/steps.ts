/**
 * The per-step uniform every minibatch kernel reads at @group(1): Step { row0, rows, index, epoch }
 * (shaders/prelude/step.wgsl). An epoch's steps are known up front (step i covers positions
 * [i * B, min((i + 1) * B, count))), so all slots are written when the trainer is built, and each step only
 * binds its slot: nothing is written or read per step, and a whole epoch can be recorded in advance. Only
 * `epoch` changes, rewritten with one write per epoch.
 */
import { COPY_DST, createBufferWith, UNIFORM } from '../gpu/buffers.js';

/** WebGPU's minUniformBufferOffsetAlignment is at most 256, so one slot per 256 bytes fits every adapter. */
export const STEP_SLOT_BYTES = 256;
/** The Step struct's size: four u32. */
const STEP_BYTES = 16;

export interface StepRange {
  row0: number;
  rows: number;
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
    ranges.forEach((s, i) => words.set([s.row0, s.rows, i, 0], (i * STEP_SLOT_BYTES) / 4));
    // steps: [slots] x Step { row0, rows, index, epoch } u32 at a 256-byte stride
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
