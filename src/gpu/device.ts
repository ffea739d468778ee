/**
 * Device acquisition that works anywhere a `GPU` object exists: dawn.node's `create()` in Node
 * (see ./node.ts) or `navigator.gpu` in a browser. No Node APIs here.
 */
import { ArgumentError, GpuError } from '../errors.js';

/** Where the WGSL source of a kernel comes from: files in Node, bundler imports in the browser. */
export type ShaderSource = (name: string) => string;

/** The adapter, as `webgpu-softmax info` and the start line describe it. */
export interface AdapterSummary {
  /** The adapter's vendor, e.g. 'mesa', 'nvidia' (may be empty). */
  vendor: string;
  /** The adapter's architecture, e.g. 'llvmpipe' (may be empty). */
  architecture: string;
  /** The device name or id (may be empty). */
  device: string;
  /** The driver's description, e.g. 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)' (may be empty). */
  description: string;
  /** Whether this is a software fallback adapter (e.g. SwiftShader in Chrome). */
  isFallbackAdapter: boolean;
}

/** A WebGPU device with what kernels need besides it: made by `createNodeGpu()` in Node or `acquireGpu()` in a browser. */
export interface Gpu {
  /**
   * The GPU object the adapter came from. Held so it lives as long as the device: dawn.node tears its
   * instance down when this is garbage-collected, and a device still in use then crashes the process.
   */
  instance: GPU;
  /** The WebGPU device every kernel runs on; `device.destroy()` ends it (and lets Node exit). */
  device: GPUDevice;
  /** The adapter the device came from (its limits and features). */
  adapter: GPUAdapter;
  /** The adapter in a few strings, as `info` and the start line print it. */
  adapterInfo: AdapterSummary;
  /** Where the kernels get their WGSL source. */
  shaders: ShaderSource;
  /** Resolves (never rejects) when the device is lost, with the reason; training races against it. */
  lost: Promise<GPUDeviceLostInfo>;
}

export function summarizeAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info;
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    // isFallbackAdapter moved from GPUAdapter to GPUAdapterInfo; read whichever the implementation has.
    isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter ??
      (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter),
  };
}

/** One line naming the adapter, e.g. "mesa / software / llvmpipe ... (software fallback)". */
export function describeAdapter(a: AdapterSummary): string {
  const parts = [a.vendor, a.architecture, a.description || a.device].filter((s) => s.length > 0);
  return parts.join(' / ') + (a.isFallbackAdapter ? ' (software fallback)' : '');
}

/** Options of `acquireGpu`. */
export interface AcquireOptions {
  /** As `requestAdapter({ powerPreference })`; default 'high-performance'. */
  powerPreference?: GPUPowerPreference | undefined;
  /** Said in the error when no adapter is found (what to install on this platform). */
  noAdapterHint?: string | undefined;
  /**
   * Optional features to ask for where the adapter has them (timestamp-query always is). Node and the page ask
   * for `subgroups`, the subgroup kernels' fast path (kernels/subgroups.ts). (A file chooser that seemed not to
   * open in headless Chromium with a subgroups device was a race in the page test, not the device: test/web.)
   */
  features?: GPUFeatureName[] | undefined;
}

/**
 * The WebGPU flag constants the kernels use, as a browser defines them (the WebGPU spec's values). dawn.node
 * exports them rather than defining them, so in Node a `GPU` from `create()` comes without them:
 * {@link acquireGpu} defines the missing ones, so it works there as in a browser.
 */
const WEBGPU_CONSTANTS: Record<string, Record<string, number>> = {
  GPUBufferUsage: { MAP_READ: 0x1, MAP_WRITE: 0x2, COPY_SRC: 0x4, COPY_DST: 0x8, INDEX: 0x10, VERTEX: 0x20, UNIFORM: 0x40, STORAGE: 0x80, INDIRECT: 0x100, QUERY_RESOLVE: 0x200 },
  GPUShaderStage: { VERTEX: 0x1, FRAGMENT: 0x2, COMPUTE: 0x4 },
  GPUMapMode: { READ: 0x1, WRITE: 0x2 },
  GPUTextureUsage: { COPY_SRC: 0x1, COPY_DST: 0x2, TEXTURE_BINDING: 0x4, STORAGE_BINDING: 0x8, RENDER_ATTACHMENT: 0x10 },
  GPUColorWrite: { RED: 0x1, GREEN: 0x2, BLUE: 0x4, ALPHA: 0x8, ALL: 0xf },
};

function defineMissingConstants(): void {
  for (const [name, values] of Object.entries(WEBGPU_CONSTANTS)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value: Object.freeze({ ...values }), configurable: true, writable: true });
  }
}

/** Requests an adapter and a device with the adapter's largest buffer limits (the dataset is one big binding). */
export async function acquireGpu(gpu: GPU, shaders: ShaderSource, options: AcquireOptions = {}): Promise<Gpu> {
  if (typeof (gpu as Partial<GPU> | null)?.requestAdapter !== 'function') {
    throw new ArgumentError(`gpu must be a GPU object (navigator.gpu in a browser; in Node, create() from the webgpu package, or use createNodeGpu()), not ${gpu === undefined || gpu === null ? String(gpu) : typeof gpu}: ${gpu === undefined ? 'this browser has no WebGPU (navigator.gpu is undefined)' : 'pass one'}`);
  }
  if (typeof shaders !== 'function') {
    throw new ArgumentError(`shaders must be a function from a shader name to its WGSL source (shaderSourceFromFiles(files) in a browser), not ${shaders === null ? 'null' : typeof shaders}`);
  }
  defineMissingConstants();
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) {
    throw new GpuError(`no WebGPU adapter found${options.noAdapterHint ? `: ${options.noAdapterHint}` : ''}`);
  }
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxComputeWorkgroupsPerDimension: adapter.limits.maxComputeWorkgroupsPerDimension,
      maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
      maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: adapter.limits.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
    },
    requiredFeatures: (['timestamp-query', ...(options.features ?? [])] as GPUFeatureName[]).filter((f) => adapter.features.has(f)),
  });
  return { instance: gpu, device, adapter, adapterInfo: summarizeAdapter(adapter), shaders, lost: device.lost };
}

/** One line for a WebGPU error (Dawn appends " - While calling ..." context lines; --verbose shows them via the cause). */
export function describeGpuError(error: GPUError): string {
  const first = error.message.split('\n')[0].trim();
  const name = (error as { constructor?: { name?: string } }).constructor?.name ?? '';
  if (name === 'GPUOutOfMemoryError') return `GPU out of memory: ${first}; train with a smaller --batch-size or --limit`;
  if (name === 'GPUInternalError') return `WebGPU internal error: ${first}`;
  return `WebGPU validation error: ${first}`;
}

export interface GpuWatch {
  /** Resolves like `work`, or rejects with a GpuError as soon as the device is lost or reports an uncaptured error. */
  guard<T>(work: Promise<T>): Promise<T>;
  /** Throws the GpuError if either has happened (uncaptured errors are reported synchronously by the call that made them). */
  check(): void;
  /** Stops watching (a device destroyed after this is no failure). */
  stop(): void;
}

/**
 * Turns a lost device and uncaptured WebGPU errors (validation, out-of-memory, internal: anything not inside an
 * error scope) into one GpuError, so no await hangs on a dead GPU and no error passes silently.
 */
export function watchGpu(gpu: Gpu): GpuWatch {
  let failure: GpuError | null = null;
  let reject!: (err: GpuError) => void;
  const failed = new Promise<never>((_, r) => (reject = r));
  failed.catch(() => {}); // observed through guard() and check()
  let active = true;
  const fail = (err: GpuError) => {
    if (!active || failure) return;
    failure = err;
    reject(err);
  };
  const onError = (event: Event) => {
    const error = (event as GPUUncapturedErrorEvent).error;
    event.preventDefault(); // reported by us, not printed by the implementation
    fail(new GpuError(describeGpuError(error), { cause: error }));
  };
  gpu.device.addEventListener('uncapturederror', onError);
  void gpu.lost.then((info) => fail(new GpuError(`GPU device lost (${info.reason}): ${info.message || 'no message'}`)));
  return {
    guard: (work) => {
      work.catch(() => {}); // once the device has failed, `work` may reject (or never settle) unobserved
      return failure ? Promise.reject(failure) : Promise.race([work, failed]);
    },
    check: () => {
      if (failure) throw failure;
    },
    stop: () => {
      active = false;
      gpu.device.removeEventListener('uncapturederror', onError);
    },
  };
}
