/**
 * The per-step uniform every kernel reads at @group(1): { row0, rows, features, classes }.
 * An epoch's steps are known up front (step i covers positions [i * B, min((i + 1) * B, count))), so all
 * slots are written once when the trainer is built, and each step only binds its slot: nothing is written
 * or read per step, and a whole epoch can be recorded in advance.
 */
import { createBufferWith, UNIFORM } from '../gpu/buffers.js';

/** WebGPU's minUniformBufferOffsetAlignment is at most 256, so one slot per 256 bytes fits every adapter. */
export const STEP_SLOT_BYTES = 256;

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

export class StepSlots {
  private constructor(
    readonly buffer: GPUBuffer,
    /** groups[i] binds slot i at @group(1). */
    readonly groups: GPUBindGroup[],
    readonly ranges: StepRange[],
  ) {}

  /** `layout` is any kernel's @group(1) layout: they are all the same single uniform, hence interchangeable. */
  static create(
    device: GPUDevice,
    layout: GPUBindGroupLayout,
    ranges: StepRange[],
    features: number,
    classes: number,
    label = 'steps',
  ): StepSlots {
    const words = new Uint32Array((ranges.length * STEP_SLOT_BYTES) / 4);
    ranges.forEach((s, i) => words.set([s.row0, s.rows, features, classes], (i * STEP_SLOT_BYTES) / 4));
    // steps: [slots] x { row0, rows, features, classes } u32 at 256-byte stride
    const buffer = createBufferWith(device, label, words, UNIFORM | 0x08 /* COPY_DST */);
    const groups = ranges.map((_, i) =>
      device.createBindGroup({
        label: `${label}[${i}]`,
        layout,
        entries: [{ binding: 0, resource: { buffer, offset: i * STEP_SLOT_BYTES, size: 16 } }],
      }),
    );
    return new StepSlots(buffer, groups, ranges);
  }

  destroy(): void {
    this.buffer.destroy();
  }
}
