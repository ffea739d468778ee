/**
 * A browser-like `navigator.gpu` in Node from dawn.node (the `webgpu` package), for the peers written for the
 * browser (tfjs-webgpu, jax-js): they find the same adapter as ours. Call before importing the peer's WebGPU
 * backend, which looks for navigator.gpu when it loads.
 */
import { existsSync } from 'node:fs';

const LAVAPIPE_ICD = '/usr/share/vulkan/icd.d/lvp_icd.json';

export interface NodeWebGpu {
  /** 'webgpu: vendor / architecture / description' of the adapter the peer will get. */
  adapter: string;
  /** Largest buffer, in bytes, that one kernel can bind (the adapter's maxStorageBufferBindingSize). */
  maxBindingBytes: number;
}

export async function installNodeWebGpu(): Promise<NodeWebGpu> {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals); // GPUBufferUsage, GPUMapMode... which the backends use as globals
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  let gpu = create([]);
  let adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter && !process.env.VK_ICD_FILENAMES && existsSync(LAVAPIPE_ICD)) {
    // Same fallback as src/gpu/node.ts: no default Vulkan driver, so point the loader at lavapipe.
    process.env.VK_ICD_FILENAMES = LAVAPIPE_ICD;
    gpu = create([]);
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  }
  if (!adapter) throw new Error('dawn.node found no WebGPU adapter (see tools/install-system.sh)');
  // Node 20 has no navigator; Node >= 21 has one without .gpu, hence defineProperty rather than assignment.
  // userAgent: jax-js's WebGPU backend reads it (a Firefox check) when it loads.
  Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: `Node.js ${process.version}` }, configurable: true, writable: true });
  const { vendor, architecture, description } = adapter.info;
  return {
    adapter: `webgpu: ${[vendor, architecture, description].filter(Boolean).join(' / ')}`,
    maxBindingBytes: adapter.limits.maxStorageBufferBindingSize,
  };
}
