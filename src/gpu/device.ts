/**
 * Device acquisition that works anywhere a `GPU` object exists: dawn.node's `create()` in Node
 * (see ./node.ts) or `navigator.gpu` in a browser. No Node APIs here.
 */
import { GpuError } from '../errors.js';

/** Where the WGSL source of a kernel comes from: files in Node, bundler imports in the browser. */
export type ShaderSource = (name: string) => string;

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}

export interface Gpu {
  /**
   * The GPU object the adapter came from. Held so it lives as long as the device: dawn.node tears its
   * instance down when this is garbage-collected, and a device still in use then crashes the process.
   */
  instance: GPU;
  device: GPUDevice;
  adapter: GPUAdapter;
  adapterInfo: AdapterSummary;
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

export function describeAdapter(a: AdapterSummary): string {
  const parts = [a.vendor, a.architecture, a.description || a.device].filter((s) => s.length > 0);
  return parts.join(' / ') + (a.isFallbackAdapter ? ' (software fallback)' : '');
}

export interface AcquireOptions {
  powerPreference?: GPUPowerPreference;
  /** Said in the error when no adapter is found (what to install on this platform). */
  noAdapterHint?: string;
}

/** Requests an adapter and a device with the adapter's largest buffer limits (the dataset is one big binding). */
export async function acquireGpu(gpu: GPU, shaders: ShaderSource, options: AcquireOptions = {}): Promise<Gpu> {
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
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
  });
  return { instance: gpu, device, adapter, adapterInfo: summarizeAdapter(adapter), shaders, lost: device.lost };
}
