/**
 * Node-only GPU entry: dawn.node (npm `webgpu`) plus the WGSL files read from ../../shaders.
 * Falls back to Mesa's lavapipe (a CPU Vulkan driver) when Dawn finds no adapter and lavapipe is installed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create, globals } from 'webgpu';
import { GpuError } from '../errors.js';
import { acquireGpu, type Gpu, type ShaderSource } from './device.js';

/** Where Debian's mesa-vulkan-drivers puts lavapipe's Vulkan ICD file: the fallback's driver. */
export const LAVAPIPE_ICD = '/usr/share/vulkan/icd.d/lvp_icd.json';
const NO_ADAPTER_HINT =
  'install a Vulkan driver (on Debian: `bash tools/install-system.sh`, which installs libvulkan1 and lavapipe ' +
  'from bookworm-backports) or run on a machine with a GPU; VK_ICD_FILENAMES picks a specific driver';

/** The package root: the nearest folder above this file that holds shaders/ (works from src/ and dist/src/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'shaders')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new GpuError('cannot find the shaders/ folder of webgpu-softmax');
    dir = up;
  }
}

/** A ShaderSource reading `dir/NAME.wgsl` (default: the package's shaders/), each file once. */
export function fileShaderSource(dir = join(packageRoot(), 'shaders')): ShaderSource {
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

let globalsInstalled = false;

/** Creates a Gpu through dawn.node. Keep a reference only as long as needed: Node stays alive while one exists. */
export async function createNodeGpu(): Promise<Gpu> {
  if (!globalsInstalled) {
    // GPUBufferUsage, GPUShaderStage, GPUMapMode... as in a browser.
    Object.assign(globalThis, globals);
    globalsInstalled = true;
  }
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const shaders = fileShaderSource();
  try {
    return await acquireGpu(create([]), shaders, { noAdapterHint: NO_ADAPTER_HINT, features: NODE_FEATURES });
  } catch (err) {
    if (!(err instanceof GpuError) || process.env.VK_ICD_FILENAMES || !existsSync(LAVAPIPE_ICD)) throw err;
    // No adapter from the default driver list: point the Vulkan loader at lavapipe explicitly and retry.
    process.env.VK_ICD_FILENAMES = LAVAPIPE_ICD;
    return acquireGpu(create([]), shaders, { noAdapterHint: NO_ADAPTER_HINT, features: NODE_FEATURES });
  }
}
