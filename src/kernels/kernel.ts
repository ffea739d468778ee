/**
 * The shape every kernel wrapper shares: a WGSL file, the names of its @group(0) buffers, and its dispatch
 * grid for given dimensions. @group(1), where a kernel has one, is the per-step uniform (see train/steps.ts).
 */
import type { Gpu } from '../gpu/device.js';
import { type ComputePass, Kernel } from '../gpu/kernel.js';

/** Sizes a dispatch is recorded for. `rows` is the largest minibatch; kernels skip rows past step.rows. */
export interface Dims {
  rows: number;
  features: number;
  classes: number;
}

export const DEFAULT_WORKGROUP = 64;

export interface KernelSpec<Name extends string> {
  shader: string;
  /** Workgroups to dispatch for `dims` when the shader's WG override is `workgroup` and its other overrides `constants`. */
  grid(dims: Dims, workgroup: number, constants: Readonly<Record<string, number>>): [number, number?, number?];
  /** Values of the shader's overrides that shape its grid, used unless create() is given others. */
  constants?: Readonly<Record<string, number>>;
  /** Why these override values cannot work (e.g. past a fixed array size in the WGSL), or null when they can. */
  checkConstants?(constants: Readonly<Record<string, number>>): string | null;
  /** Whether the shader has a `WG` override (single-workgroup reductions fix theirs in WGSL). */
  tunable: boolean;
  /** Type-level list of the @group(0) binding names, checked against the WGSL at bind time. */
  readonly names?: Name;
}

export class BoundKernel<Name extends string> {
  constructor(
    readonly kernel: Kernel,
    private readonly spec: KernelSpec<Name>,
    readonly workgroup: number,
    readonly constants: Readonly<Record<string, number>>,
  ) {}

  bind(buffers: Record<Name, GPUBuffer | GPUBufferBinding>, label?: string): GPUBindGroup {
    return this.kernel.bindGroup(0, buffers, label);
  }

  encode(pass: ComputePass, group: GPUBindGroup, step: GPUBindGroup | null, dims: Dims): void {
    const [x, y = 1, z = 1] = this.spec.grid(dims, this.workgroup, this.constants);
    this.kernel.dispatch(pass, step ? [group, step] : [group], x, y, z);
  }
}

export function defineKernel<Name extends string>(spec: KernelSpec<Name>) {
  return {
    spec,
    async create(
      gpu: Gpu,
      options: { workgroup?: number; constants?: Record<string, number> } = {},
    ): Promise<BoundKernel<Name>> {
      const workgroup = options.workgroup ?? DEFAULT_WORKGROUP;
      const constants = { ...(spec.tunable ? { WG: workgroup } : {}), ...spec.constants, ...options.constants };
      const problem = spec.checkConstants?.(constants);
      if (problem) throw new RangeError(`${spec.shader}: ${problem}`);
      const kernel = await Kernel.create(gpu, spec.shader, { constants });
      return new BoundKernel(kernel, spec, workgroup, constants);
    },
  };
}

export const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);
