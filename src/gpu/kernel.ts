/**
 * A compute kernel = one WGSL file + one entry point. Its bind group layouts are read from the shader with
 * wgsl_reflect, so the shader is the single statement of what a kernel binds; TS binds resources by the
 * variable names the WGSL declares and is told at once when a name is missing or unknown.
 */
import { ResourceType, WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import { GpuError } from '../errors.js';
import type { Gpu } from './device.js';

/**
 * The part of a compute pass that kernels record into. A real GPUComputePassEncoder is one; so is the
 * profiler's DispatchLog, which replays each dispatch in its own timed pass.
 */
export type ComputePass = Pick<GPUComputePassEncoder, 'setPipeline' | 'setBindGroup' | 'dispatchWorkgroups'>;

export interface BindingInfo {
  name: string;
  group: number;
  binding: number;
  type: GPUBufferBindingType;
}

export interface KernelOptions {
  entryPoint?: string;
  /** Values for the shader's `override` constants (shapes, workgroup sizes, feature switches). */
  constants?: Record<string, number>;
  /** Shader files prepended to this one (shared declarations such as the Step uniform). */
  preludes?: string[];
}

/** Bindings of one entry point, by group, from the WGSL itself. */
export function reflectBindings(code: string, entryPoint: string, shaderName: string): BindingInfo[] {
  const reflect = new WgslReflect(code);
  const entry = reflect.entry.compute.find((f) => f.name === entryPoint);
  if (!entry) throw new GpuError(`${shaderName}.wgsl: no @compute entry point named "${entryPoint}"`);
  return entry.resources.map((v) => {
    let type: GPUBufferBindingType;
    if (v.resourceType === ResourceType.Uniform) type = 'uniform';
    else if (v.resourceType === ResourceType.Storage) type = v.access === 'read' ? 'read-only-storage' : 'storage';
    else throw new GpuError(`${shaderName}.wgsl: binding "${v.name}" is not a buffer; kernels here bind buffers only`);
    return { name: v.name, group: v.group, binding: v.binding, type };
  });
}

/**
 * Turns WGSL compilation messages into one line naming the file and line of the first error. The module is
 * the preludes followed by the shader, so a line past `preludeLines` is the shader's line minus that.
 */
async function compilationError(module: GPUShaderModule, shaderName: string, preludes: string[], preludeLines: number[]): Promise<string | null> {
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length === 0) return null;
  const [m] = errors;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  let line = m.lineNum;
  let file = shaderName;
  for (let i = 0; i < preludes.length; i++) {
    if (line <= preludeLines[i]) {
      file = preludes[i];
      break;
    }
    line -= preludeLines[i];
  }
  return `shaders/${file}.wgsl:${line}:${m.linePos}: ${m.message.split('\n')[0]}${more}`;
}

const lineCount = (code: string) => code.split('\n').length - (code.endsWith('\n') ? 1 : 0);

/** What a kernel is compiled from: the WGSL as the device receives it (preludes prepended) and its override values. */
export interface KernelSource {
  shader: string;
  entryPoint: string;
  preludes: string[];
  constants: Record<string, number>;
  code: string;
}

/** The module code of `shaderName` with its preludes. */
function assemble(gpu: Gpu, shaderName: string, options: KernelOptions): KernelSource {
  const preludes = options.preludes ?? [];
  const preludeCode = preludes.map((name) => gpu.shaders(name).replace(/\n?$/, '\n'));
  // WGSL directives (`enable subgroups;`) must precede every declaration, preludes' included: they move to the
  // start of the first line, and their own line is left blank, so error line numbers stay right.
  const directives: string[] = [];
  let body = gpu.shaders(shaderName);
  if (preludeCode.length > 0) {
    body = body.replace(/^(enable|requires|diagnostic)\b[^;\n]*;[ \t]*$/gm, (d) => {
      directives.push(d);
      return '';
    });
  }
  return { shader: shaderName, entryPoint: options.entryPoint ?? 'main', preludes, constants: { ...options.constants }, code: directives.join(' ') + preludeCode.join('') + body };
}

/** Called with every kernel a device is asked for (`webgpu-softmax kernels` lists a model's this way). */
const WATCHERS = new WeakMap<GPUDevice, Set<(source: KernelSource) => void>>();

/** Calls `watcher` with each kernel created on `gpu`'s device until the returned function is called. */
export function watchKernels(gpu: Gpu, watcher: (source: KernelSource) => void): () => void {
  let set = WATCHERS.get(gpu.device);
  if (!set) {
    set = new Set();
    WATCHERS.set(gpu.device, set);
  }
  set.add(watcher);
  return () => set.delete(watcher);
}

/** Kernels by device and by what they were compiled from (Kernel.create). */
const PIPELINES = new WeakMap<GPUDevice, Map<string, Promise<Kernel>>>();

export class Kernel {
  private constructor(
    readonly name: string,
    readonly pipeline: GPUComputePipeline,
    readonly bindings: BindingInfo[],
    private readonly layouts: GPUBindGroupLayout[],
    private readonly device: GPUDevice,
  ) {}

  /**
   * The kernel of `shaderName` with these options, compiled once per device: a network repeats shapes (ResNet's
   * blocks, a layer's training and evaluation passes), and lavapipe spends tens to hundreds of milliseconds in
   * LLVM per pipeline. A Kernel holds only its pipeline and layouts, so sharing it is safe; a failed creation is
   * not kept, so the next call tries again.
   */
  static create(gpu: Gpu, shaderName: string, options: KernelOptions = {}): Promise<Kernel> {
    const source = assemble(gpu, shaderName, options);
    for (const watcher of WATCHERS.get(gpu.device) ?? []) watcher(source);
    let cache = PIPELINES.get(gpu.device);
    if (!cache) {
      cache = new Map();
      PIPELINES.set(gpu.device, cache);
    }
    // The code itself, not only the names: a Gpu may read its shaders from elsewhere (a test's broken copy).
    const key = JSON.stringify([source.code, source.entryPoint, Object.entries(source.constants).sort(([a], [b]) => (a < b ? -1 : 1))]);
    let kernel = cache.get(key);
    if (!kernel) {
      kernel = Kernel.compile(gpu, source);
      cache.set(key, kernel);
      kernel.catch(() => cache.delete(key));
    }
    return kernel;
  }

  private static async compile(gpu: Gpu, source: KernelSource): Promise<Kernel> {
    const { device } = gpu;
    const { shader: shaderName, entryPoint, preludes, code } = source;
    const preludeCode = preludes.map((name) => gpu.shaders(name).replace(/\n?$/, '\n'));
    const options = { constants: source.constants };

    // Compile first: Dawn's messages carry the line, and reflection of a broken shader would only say less.
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ label: `${shaderName}.wgsl`, code });
    const moduleError = await device.popErrorScope();
    const compileError = await compilationError(module, shaderName, preludes, preludeCode.map(lineCount));
    if (compileError) throw new GpuError(`WGSL compilation failed: ${compileError}`);
    if (moduleError) throw new GpuError(`shaders/${shaderName}.wgsl: ${moduleError.message.split('\n')[0]}`, { cause: moduleError });
    let bindings: BindingInfo[];
    try {
      bindings = reflectBindings(code, entryPoint, shaderName);
    } catch (err) {
      if (err instanceof GpuError) throw err;
      throw new GpuError(`shaders/${shaderName}.wgsl: cannot read its bindings: ${(err as Error).message}`, { cause: err });
    }
    const groupCount = bindings.reduce((m, b) => Math.max(m, b.group + 1), 0);

    device.pushErrorScope('validation');
    const layouts: GPUBindGroupLayout[] = [];
    for (let g = 0; g < groupCount; g++) {
      layouts.push(
        device.createBindGroupLayout({
          label: `${shaderName} group ${g}`,
          entries: bindings
            .filter((b) => b.group === g)
            .map((b) => ({ binding: b.binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: b.type } })),
        }),
      );
    }
    let pipeline: GPUComputePipeline | null = null;
    let pipelineError: unknown = null;
    try {
      pipeline = await device.createComputePipelineAsync({
        // The profile's table names a kernel by its pipeline: the file, and the entry point where it has several.
        label: entryPoint === 'main' ? shaderName : `${shaderName}.${entryPoint}`,
        layout: device.createPipelineLayout({ label: shaderName, bindGroupLayouts: layouts }),
        compute: { module, entryPoint, constants: options.constants },
      });
    } catch (err) {
      pipelineError = err;
    }
    const scopeError = await device.popErrorScope();
    if (pipelineError || scopeError || !pipeline) {
      const why = scopeError?.message ?? (pipelineError instanceof Error ? pipelineError.message : String(pipelineError));
      throw new GpuError(`shaders/${shaderName}.wgsl: pipeline creation failed: ${why.split('\n')[0]}`, { cause: scopeError ?? pipelineError });
    }
    return new Kernel(shaderName, pipeline, bindings, layouts, device);
  }

  layout(group: number): GPUBindGroupLayout {
    const layout = this.layouts[group];
    if (!layout) throw new GpuError(`${this.name}.wgsl has no @group(${group})`);
    return layout;
  }

  /** A bind group for `group` from resources named as in the WGSL. Every binding must be given, nothing else. */
  bindGroup(group: number, resources: Record<string, GPUBuffer | GPUBufferBinding>, label?: string): GPUBindGroup {
    const wanted = this.bindings.filter((b) => b.group === group);
    const unknown = Object.keys(resources).filter((k) => !wanted.some((b) => b.name === k));
    if (unknown.length > 0) {
      throw new GpuError(`${this.name}.wgsl @group(${group}) has no binding named ${unknown.join(', ')} ` +
        `(it binds ${wanted.map((b) => b.name).join(', ')})`);
    }
    const entries = wanted.map((b) => {
      const r = resources[b.name];
      if (!r) throw new GpuError(`${this.name}.wgsl: no buffer given for binding "${b.name}"`);
      return { binding: b.binding, resource: 'buffer' in r ? r : { buffer: r } };
    });
    return this.device.createBindGroup({ label: label ?? `${this.name} group ${group}`, layout: this.layout(group), entries });
  }

  /** Records one dispatch; `groups[i]` is bound at @group(i). */
  dispatch(pass: ComputePass, groups: GPUBindGroup[], x: number, y = 1, z = 1): void {
    pass.setPipeline(this.pipeline);
    for (let i = 0; i < groups.length; i++) pass.setBindGroup(i, groups[i]);
    pass.dispatchWorkgroups(x, y, z);
  }
}
