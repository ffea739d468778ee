/**
 * The page's GPU entry point: navigator.gpu plus the bundled shaders. Everything after acquisition (kernels,
 * trainer, evaluator) is the shared code in src/. Failures become messages that say what to enable.
 */
import { acquireGpu, type Gpu } from '../gpu/device.js';
import { GpuError } from '../errors.js';
import { bundledShaders } from './shaders.js';

const ENABLE_HINT =
  'Use a recent Chrome or Edge (113+). On Linux, WebGPU is still behind a flag: open chrome://flags/#enable-unsafe-webgpu ' +
  'and enable it (or start Chrome with --enable-unsafe-webgpu), then reload. chrome://gpu shows whether WebGPU is ' +
  'hardware accelerated.';

/** Thrown when this browser cannot give the page a WebGPU device; the message is meant for the person. */
export class WebGpuUnavailable extends GpuError {}

export function webGpuProblem(): string | null {
  // globalThis, not window: the training engine asks from a Worker.
  if (!globalThis.isSecureContext) {
    return `WebGPU needs a secure context, and this page was opened from ${location.origin}. ` +
      'Open it over https, or from http://localhost or http://127.0.0.1.';
  }
  if (!('gpu' in navigator) || !navigator.gpu) return `This browser has no WebGPU (navigator.gpu is missing). ${ENABLE_HINT}`;
  return null;
}

export async function acquireBrowserGpu(): Promise<Gpu> {
  const problem = webGpuProblem();
  if (problem) throw new WebGpuUnavailable(problem);
  try {
    // `subgroups` where the adapter has them, as Node asks (gpu/node.ts): the subgroup kernels then run in the
    // page as in the CLI (Chrome has them since 134; headless Chromium's SwiftShader offers them, size 4).
    return await acquireGpu(navigator.gpu, bundledShaders, {
      features: ['subgroups'],
      noAdapterHint: `WebGPU is present but gave no adapter (blocklisted GPU, or the flag is off). ${ENABLE_HINT}`,
    });
  } catch (err) {
    if (err instanceof GpuError) throw new WebGpuUnavailable(err.message, { cause: err });
    throw err;
  }
}
