/**
 * Node-only GPU entry: dawn.node (npm `webgpu`) plus the WGSL files read from ../../shaders.
 * Falls back to Mesa's lavapipe (a CPU Vulkan driver) when Dawn finds no adapter and lavapipe is installed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create, globals } from 'webgpu';
import { ArgumentError, checkKeys, checkObject, describeValue, GpuError } from '../errors.js';
import { type AcquireOptions, acquireGpu, type Gpu, type ShaderSource } from './device.js';

/** Where Debian's mesa-vulkan-drivers puts lavapipe's Vulkan ICD file: the fallback's driver. */
export const LAVAPIPE_ICD = '/usr/share/vulkan/icd.d/lvp_icd.json';
/** Said when Dawn finds no adapter: what to install, for someone who installed the package, not a checkout. */
const NO_ADAPTER_HINT =
  'install a Vulkan driver (on Debian or Ubuntu: `apt-get install libvulkan1 mesa-vulkan-drivers`, whose lavapipe runs on the CPU; ' +
  'Debian bookworm needs the one from bookworm-backports) or run on a machine with a GPU; VK_ICD_FILENAMES picks a specific driver';

/** The package root: the nearest folder above this file that holds shaders/ (works from src/ and dist/src/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'shaders')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new GpuError('cannot find the shaders/ folder of webgpu-softmax (is the package installed whole?)');
    dir = up;
  }
}

/** A ShaderSource reading `dir/NAME.wgsl` (default: the package's shaders/), each file once. */
export function fileShaderSource(dir = join(packageRoot(), 'shaders')): ShaderSource {
  if (typeof dir !== 'string' || !existsSync(dir)) throw new ArgumentError(`dir must be a folder holding the package's WGSL files, not ${describeValue(dir)}${typeof dir === 'string' ? ' (no such folder)' : ''}`);
  const cache = new Map<string, string>();
  return (name) => {
    let code = cache.get(name);
    if (code === undefined) {
      code = readFileSync(join(dir, `${name}.wgsl`), 'utf8');
      cache.set(name, code);
    }
    return code;
  };
}

/** Optional features the Node device asks for: subgroups, the dense-layer kernels' fast path (kernels/subgroups.ts). */
const NODE_FEATURES: GPUFeatureName[] = ['subgroups'];

/** Which GPU {@link createNodeGpu} takes. */
export interface NodeGpuOptions {
  /** As `requestAdapter({ powerPreference })`: 'high-performance' (the default) or 'low-power' where a machine has both. */
  powerPreference?: GPUPowerPreference | undefined;
  /**
   * Part of the adapter's name to take, as dawn.node's `adapter=` flag: e.g. 'llvmpipe' (Mesa's lavapipe, on the
   * CPU), 'SwiftShader', 'NVIDIA'. A name no adapter has is an error listing the adapters there are.
   */
  adapter?: string | undefined;
  /** The Dawn backend: 'vulkan', 'metal', 'd3d12', 'd3d11', 'opengl', 'opengles' or 'null'; default Dawn's choice. */
  backend?: string | undefined;
}

/** The WebGPU globals (GPUBufferUsage, GPUShaderStage, GPUMapMode...) as a browser has them, from dawn.node. */
export function installWebGpuGlobals(): void {
  for (const [name, value] of Object.entries(globals)) if (!(name in globalThis)) Object.assign(globalThis, { [name]: value });
}

/**
 * Creates a Gpu through dawn.node, falling back to Mesa's lavapipe where Dawn finds no adapter and lavapipe is
 * installed. Keep a reference only as long as needed: Node stays alive while one exists (`gpu.device.destroy()`
 * ends it).
 * @param options which adapter to take; default the first, high-performance one
 */
export async function createNodeGpu(options: NodeGpuOptions = {}): Promise<Gpu> {
  const o = checkObject('options', options ?? {}, 'an object { powerPreference?, adapter?, backend? } (or undefined)');
  checkKeys('options', o, ['powerPreference', 'adapter', 'backend']);
  if (o.powerPreference !== undefined && o.powerPreference !== 'high-performance' && o.powerPreference !== 'low-power') {
    throw new ArgumentError(`options.powerPreference must be 'high-performance' or 'low-power', not ${describeValue(o.powerPreference)}`);
  }
  for (const key of ['adapter', 'backend'] as const) {
    const value = o[key];
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '' || /[,=]/.test(value))) {
      throw new ArgumentError(`options.${key} must be a non-empty name without ',' or '=' (e.g. ${key === 'adapter' ? "'llvmpipe'" : "'vulkan'"}), not ${describeValue(value)}`);
    }
  }
  installWebGpuGlobals();
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const flags = [...(o.adapter ? [`adapter=${o.adapter as string}`] : []), ...(o.backend ? [`backend=${o.backend as string}`] : [])];
  const acquire: AcquireOptions = { noAdapterHint: NO_ADAPTER_HINT, features: NODE_FEATURES, powerPreference: o.powerPreference as GPUPowerPreference | undefined };
  const shaders = fileShaderSource();
  const attempt = async () => {
    try {
      return await acquireGpu(create(flags), shaders, acquire);
    } catch (err) {
      // dawn.node throws "no suitable backends found\nAvailable adapters: ..." for an adapter or backend it lacks.
      const text = err instanceof Error ? err.message : String(err);
      if (err instanceof GpuError || !/no suitable backends|Available adapters|backend/i.test(text)) throw err;
      const available = text.split('\n').filter((line) => /^\s*\*/.test(line)).map((line) => line.replace(/^\s*\*\s*/, '').trim());
      const asked = [o.adapter && `adapter ${JSON.stringify(o.adapter)}`, o.backend && `backend ${JSON.stringify(o.backend)}`].filter(Boolean).join(' on ');
      throw new GpuError(`no WebGPU adapter matches ${asked || 'the request'}${available.length > 0 ? ` (this machine has: ${available.join('; ')}): pass part of one of those names` : `: ${NO_ADAPTER_HINT}`}`, { cause: err });
    }
  };
  try {
    return await attempt();
  } catch (err) {
    if (!(err instanceof GpuError) || flags.length > 0 || process.env.VK_ICD_FILENAMES || !existsSync(LAVAPIPE_ICD)) throw err;
    // No adapter from the default driver list: point the Vulkan loader at lavapipe explicitly and retry.
    process.env.VK_ICD_FILENAMES = LAVAPIPE_ICD;
    return attempt();
  }
}
