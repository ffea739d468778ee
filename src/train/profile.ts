/**
 * Per-kernel GPU time with timestamp queries. Steps are recorded into a DispatchLog instead of a pass; the
 * log is then replayed with every dispatch in its own compute pass carrying begin/end timestamps, so each
 * dispatch is timed by the GPU itself. Splitting passes adds a little overhead per dispatch, so profiled
 * epochs run somewhat slower than normal ones; the per-kernel shares are what to read.
 */
import { GpuError } from '../errors.js';
import type { ComputePass } from '../gpu/kernel.js';

interface Dispatch {
  pipeline: GPUComputePipeline;
  groups: Array<[number, GPUBindGroup | null]>;
  workgroups: [number, number, number];
}

export class DispatchLog implements ComputePass {
  readonly dispatches: Dispatch[] = [];
  private pipeline: GPUComputePipeline | null = null;
  private groups = new Map<number, GPUBindGroup | null>();

  setPipeline(pipeline: GPUComputePipeline): undefined {
    this.pipeline = pipeline;
    return undefined;
  }

  setBindGroup(index: number, group: GPUBindGroup | null): undefined {
    this.groups.set(index, group);
    return undefined;
  }

  dispatchWorkgroups(x: number, y = 1, z = 1): undefined {
    if (!this.pipeline) throw new Error('dispatch before setPipeline');
    this.dispatches.push({ pipeline: this.pipeline, groups: [...this.groups], workgroups: [x, y, z] });
    return undefined;
  }
}

/** GPU time of one kernel over an epoch, from timestamp queries. */
export interface KernelTime {
  /** the pipeline's label: the WGSL file name */
  kernel: string;
  /** The kernel's dispatches in the epoch. */
  dispatches: number;
  /** Their GPU time together, in milliseconds. */
  totalMs: number;
  /** GPU time per dispatch, in microseconds. */
  meanUs: number;
}

/** A query set holds at most 4096 queries: two per dispatch. */
const DISPATCHES_PER_QUERY_SET = 2048;

export class Profiler {
  private readonly querySet: GPUQuerySet;
  private readonly resolve: GPUBuffer;
  private readonly totals = new Map<string, { dispatches: number; ns: bigint }>();

  constructor(private readonly device: GPUDevice) {
    if (!device.features.has('timestamp-query')) throw new GpuError("this adapter has no 'timestamp-query' feature, so kernels cannot be timed: train without --profile");
    this.querySet = device.createQuerySet({ type: 'timestamp', count: DISPATCHES_PER_QUERY_SET * 2 });
    this.resolve = device.createBuffer({ size: DISPATCHES_PER_QUERY_SET * 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  }

  /** Replays `log` into `encoder` with timestamps; the returned promise adds the times once the GPU is done. */
  async replay(log: DispatchLog, submit: (encoder: GPUCommandEncoder) => void): Promise<void> {
    for (let first = 0; first < log.dispatches.length; first += DISPATCHES_PER_QUERY_SET) {
      const chunk = log.dispatches.slice(first, first + DISPATCHES_PER_QUERY_SET);
      const encoder = this.device.createCommandEncoder({ label: 'profiled dispatches' });
      chunk.forEach((d, i) => {
        const pass = encoder.beginComputePass({ timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
        pass.setPipeline(d.pipeline);
        for (const [index, group] of d.groups) pass.setBindGroup(index, group);
        pass.dispatchWorkgroups(...d.workgroups);
        pass.end();
      });
      encoder.resolveQuerySet(this.querySet, 0, chunk.length * 2, this.resolve, 0);
      const staging = this.device.createBuffer({ size: chunk.length * 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      encoder.copyBufferToBuffer(this.resolve, 0, staging, 0, chunk.length * 16);
      submit(encoder);
      await staging.mapAsync(GPUMapMode.READ);
      const stamps = new BigUint64Array(staging.getMappedRange());
      chunk.forEach((d, i) => {
        const name = d.pipeline.label || 'unnamed';
        const t = this.totals.get(name) ?? { dispatches: 0, ns: 0n };
        t.dispatches++;
        if (stamps[2 * i + 1] > stamps[2 * i]) t.ns += stamps[2 * i + 1] - stamps[2 * i];
        this.totals.set(name, t);
      });
      staging.unmap();
      staging.destroy();
    }
  }

  report(): KernelTime[] {
    return [...this.totals].map(([kernel, t]) => {
      const totalMs = Number(t.ns) / 1e6;
      return { kernel, dispatches: t.dispatches, totalMs, meanUs: (totalMs * 1000) / t.dispatches };
    }).sort((a, b) => b.totalMs - a.totalMs);
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolve.destroy();
  }
}
