/**
 * A kernel is one program object, like tfjs-backend-webgpu's: its WGSL file, its shape, its tuning and its
 * dispatch grid together. Shapes (K, N, ...) are the shader's `override` constants, fixed at create(); the grid
 * is computed from the same constants, so the shader and the dispatch cannot disagree. The only per-step input
 * is the Step uniform at @group(1) (shaders/prelude/step.wgsl), for kernels with `step: true`.
 */
import type { Gpu } from '../gpu/device.js';
import { GpuError } from '../errors.js';
import { type ComputePass, Kernel } from '../gpu/kernel.js';

/** The shader's override values a kernel was created with: its shape, `WG` and any other tuning. */
export type Constants = Readonly<Record<string, number>>;

export const DEFAULT_WORKGROUP = 64;

export interface KernelSpec<Name extends string, Shape extends string> {
  shader: string;
  /** The shader's @compute function, when the file has several (default `main`); bindings are that function's. */
  entryPoint?: string;
  /** The shader's shape overrides, each required at create() (e.g. K and N of a matmul). */
  shape: readonly Shape[];
  /** Whether the kernel reads the Step uniform at @group(1) (the loader then prepends its declaration). */
  step: boolean;
  /** Shared shader files it needs after the Step prelude (e.g. 'prelude/dropout_mask'), prepended in order. */
  preludes?: readonly string[];
  /** Whether the shader has a `WG` override (single-workgroup reductions fix theirs in WGSL). */
  tunable: boolean;
  /** Default values of the shader's other overrides (tuning, switches), used unless create() is given others. */
  constants?: Constants;
  /** Why these override values cannot work (e.g. past a fixed array size in the WGSL), or null when they can. */
  checkConstants?(constants: Constants): string | null;
  /** Why these override values do not fit the device's limits (workgroup memory, invocations), saying what to do, or null. */
  checkLimits?(constants: Constants, limits: GPUSupportedLimits): string | null;
  /** Workgroups for a step of at most `rows` rows, from the constants the shader was created with. */
  grid(constants: Constants, rows: number): [number, number?, number?];
  /** Type-level list of the @group(0) binding names, checked against the WGSL at bind time. */
  readonly names?: Name;
}

export interface CreateOptions {
  /** The largest step this kernel is dispatched for (minibatch rows); kernels skip rows past step.rows. */
  rows?: number;
  workgroup?: number;
  constants?: Record<string, number>;
}

export class BoundKernel<Name extends string> {
  /** The dispatch grid, computed once from the shape and `rows`. */
  readonly grid: [number, number, number];

  constructor(
    readonly kernel: Kernel,
    spec: KernelSpec<Name, string>,
    readonly constants: Constants,
    readonly rows: number,
  ) {
    const [x, y = 1, z = 1] = spec.grid(constants, rows);
    this.grid = [x, y, z];
  }

  get workgroup(): number {
    return this.constants.WG ?? 1;
  }

  bind(buffers: Record<Name, GPUBuffer | GPUBufferBinding>, label?: string): GPUBindGroup {
    return this.kernel.bindGroup(0, buffers, label);
  }

  /** Records one dispatch; `step` is the @group(1) slot of kernels that read the Step uniform. */
  encode(pass: ComputePass, group: GPUBindGroup, step?: GPUBindGroup): void {
    this.kernel.dispatch(pass, step ? [group, step] : [group], ...this.grid);
  }
}

/** A kernel and its bound @group(0): one recorded dispatch of a list built once (an optimizer's, a block's). */
export type Dispatch = [BoundKernel<never>, GPUBindGroup];

/** `kernel` bound to `buffers`, as a Dispatch. */
export const bound = <Name extends string>(kernel: BoundKernel<Name>, buffers: Record<Name, GPUBuffer | GPUBufferBinding>): Dispatch => [kernel as BoundKernel<never>, kernel.bind(buffers)];

export function defineKernel<Name extends string, Shape extends string = never>(spec: KernelSpec<Name, Shape>) {
  return {
    spec,
    async create(gpu: Gpu, shape: Record<Shape, number>, options: CreateOptions = {}): Promise<BoundKernel<Name>> {
      for (const key of spec.shape) {
        const v = shape[key];
        if (!Number.isInteger(v) || v < 1) throw new RangeError(`${spec.shader}: shape ${key} must be a positive integer, not ${v}`);
      }
      const workgroup = options.workgroup ?? DEFAULT_WORKGROUP;
      const constants: Record<string, number> = { ...(spec.tunable ? { WG: workgroup } : {}), ...spec.constants, ...options.constants };
      for (const key of spec.shape) constants[key] = shape[key];
      const problem = spec.checkConstants?.(constants);
      if (problem) throw new RangeError(`${spec.shader}: ${problem}`);
      const misfit = spec.checkLimits?.(constants, gpu.device.limits);
      if (misfit) throw new GpuError(`${spec.shader}: ${misfit}`);
      const kernel = await Kernel.create(gpu, spec.shader, { entryPoint: spec.entryPoint, constants, preludes: [...(spec.step ? [STEP_PRELUDE] : []), ...(spec.preludes ?? [])] });
      const bound = new BoundKernel(kernel, spec, constants, options.rows ?? 1);
      // A grid past the adapter's limit would only fail at dispatch, as a raw WebGPU validation error mid-epoch.
      const limit = gpu.device.limits.maxComputeWorkgroupsPerDimension;
      if (bound.grid.some((n) => n > limit)) {
        throw new GpuError(`${spec.shader}: a grid of [${bound.grid.join(', ')}] workgroups (rows ${bound.rows}, ${spec.shape.map((k) => `${k} ${constants[k]}`).join(', ')}) exceeds this adapter's maxComputeWorkgroupsPerDimension (${limit})`);
      }
      return bound;
    },
  };
}

/** The shader file declaring the Step uniform (shaders/prelude/step.wgsl). */
export const STEP_PRELUDE = 'prelude/step';

export const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/** WebGPU's default limit on workgroups per grid dimension (maxComputeWorkgroupsPerDimension). */
export const MAX_WORKGROUPS_PER_DIMENSION = 65535;

/**
 * At least `workgroups` workgroups, each dimension within the limit: [n, 1] while it fits, else
 * [ceil(n / y), y] with y = ceil(n / 65535). The shader numbers its workgroups wid.y * nwg.x + wid.x (num_workgroups) and skips
 * those past its count, as it skips invocations past its element count.
 */
export function spreadGrid(workgroups: number): [number, number] {
  const y = ceilDiv(Math.max(1, workgroups), MAX_WORKGROUPS_PER_DIMENSION);
  return [ceilDiv(Math.max(1, workgroups), y), y];
}

/** Values an invocation of an element-wise pass takes (shaders/prelude/quads.wgsl VALUES) for runs of `run` values. */
export const valuesPerInvocation = (run: number): number => (run % 4 === 0 ? 4 : 1);

/** The grid of an element-wise pass over a step's [rows, N] values with shaders/prelude/quads.wgsl (its RUN = N). */
export const valuesGrid = (c: Readonly<Record<string, number>>, rows: number): [number, number] => spreadGrid(ceilDiv(rows * c.N, c.WG * valuesPerInvocation(c.N)));
