/**
 * Shared by the kernel-correctness tests: one dawn.node device per test file, buffers from typed arrays,
 * a one-step @group(1) slot, and a comparison that reports the worst element.
 */
import { expect } from 'vitest';
import type { Gpu } from '../../src/gpu/device.js';
import { COPY_DST, COPY_SRC, createBufferWith, readF32, readU32, STORAGE, UNIFORM } from '../../src/gpu/buffers.js';
import { createNodeGpu } from '../../src/gpu/node.js';
import { MAX_SUBGROUP_ROWS, subgroupSize } from '../../src/kernels/subgroups.js';
import { StepSlots } from '../../src/train/steps.js';
import { Rng } from '../../src/random.js';

let shared: Promise<Gpu> | null = null;
export function testGpu(): Promise<Gpu> {
  shared ??= createNodeGpu();
  return shared;
}

/**
 * Whether the subgroup kernels can run on the test device. `size` is subgroupSize()'s answer (the kernels' SG);
 * `missing` is false where it is a number, else the reason in words, which is the skip condition:
 *
 *   const subgroups = await subgroupSupport(); // at the file's top level: known before its tests are declared
 *   it.skipIf(subgroups.missing)('...', async () => { const sg = subgroups.size!; ... });
 *
 * vitest reports such a test as skipped, not passed; the page's runner (src/web/check) shows the reason beside it.
 * On lavapipe a skip is a fault (test/kernels/subgroups.test.ts).
 */
export interface SubgroupSupport {
  size: number | null;
  missing: string | false;
}

export async function subgroupSupport(): Promise<SubgroupSupport> {
  return subgroupSupportOf(await testGpu());
}

export function subgroupSupportOf(gpu: Gpu): SubgroupSupport {
  const size = subgroupSize(gpu);
  return { size, missing: size ? false : whyNoSubgroupSize(gpu) };
}

/** Says which of subgroupSize()'s conditions this device fails (that function decides; this only describes). */
function whyNoSubgroupSize(gpu: Gpu): string {
  if (!gpu.device.features.has('subgroups')) {
    return gpu.adapter.features.has('subgroups')
      ? "the device was made without 'subgroups'"
      : 'the adapter gives no subgroups';
  }
  const info = gpu.adapter.info as { subgroupMinSize?: number; subgroupMaxSize?: number };
  return `the adapter's subgroup size is not one power of two up to ${MAX_SUBGROUP_ROWS} (min ${info.subgroupMinSize}, max ${info.subgroupMaxSize})`;
}

export function upload(gpu: Gpu, data: Float32Array | Uint32Array | Uint8Array, label = 'test'): GPUBuffer {
  return createBufferWith(gpu.device, label, data);
}

/** A buffer also bindable as a uniform, zero-padded to `minBytes` (the fused kernels' 64 KiB views). */
export function uploadUniform(gpu: Gpu, data: Float32Array, minBytes: number, label = 'uniform'): GPUBuffer {
  const padded = new Float32Array(Math.max(data.length, minBytes / 4));
  padded.set(data);
  return createBufferWith(gpu.device, label, padded, STORAGE | UNIFORM | COPY_SRC | COPY_DST);
}

export function zeros(gpu: Gpu, elements: number, label = 'out'): GPUBuffer {
  return createBufferWith(gpu.device, label, new Float32Array(Math.max(1, elements)));
}

/** A @group(1) bind group for one step covering rows [row0, row0 + rows), a chunk of a `batch`-row minibatch. */
export function oneStep(gpu: Gpu, rows: number, row0 = 0, batch = rows): GPUBindGroup {
  return StepSlots.create(gpu.device, [{ row0, rows, batch }]).groups[0];
}

/** Records `encode` into one compute pass, submits it, and waits. */
export async function runPass(gpu: Gpu, encode: (pass: GPUComputePassEncoder) => void): Promise<void> {
  const encoder = gpu.device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  encode(pass);
  pass.end();
  gpu.device.queue.submit([encoder.finish()]);
  await gpu.device.queue.onSubmittedWorkDone();
}

export const readFloats = (gpu: Gpu, b: GPUBuffer, n: number) => readF32(gpu.device, b, n);
export const readUints = (gpu: Gpu, b: GPUBuffer, n: number) => readU32(gpu.device, b, n);

export function randomFloats(rng: Rng, n: number, std = 1, mean = 0): Float32Array {
  return rng.fillNormal(new Float32Array(n), mean, std);
}
export function randomLabels(rng: Rng, n: number, classes: number): Uint32Array {
  return Uint32Array.from({ length: n }, () => rng.int(classes));
}
export function randomPixels(rng: Rng, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => rng.int(256));
}

/**
 * Asserts |actual - expected| <= abs + rel * |expected| element-wise and reports the worst element.
 * Non-finite values must match exactly (NaN never passes).
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: { abs: number; rel?: number }, what = 'values'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const rel = tol.rel ?? 0;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (!(a === e)) {
        worst = i;
        worstExcess = Infinity;
        break;
      }
      continue;
    }
    const excess = Math.abs(a - e) - (tol.abs + rel * Math.abs(e));
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  if (worst >= 0) {
    expect.fail(`${what}[${worst}] = ${actual[worst]}, expected ${expected[worst]} within abs ${tol.abs} + rel ${rel}`);
  }
}

/** The shapes every kernel is tried on: minibatch sizes around a workgroup/batch boundary, awkward widths. */
export const ROWS = [1, 7, 255, 256, 257];
export const CLASSES = [10, 3, 17];

/**
 * Whether the suite runs in the page (src/web/check: a browser, often SwiftShader at ~0.5 GFLOP/s) rather than
 * under Node. Files with large shape matrices (the MLP's 784 x 256 layers) run a corner of them there, so the
 * whole suite stays within the page test's time.
 */
export const IN_PAGE = typeof process === 'undefined' || !process.versions?.node;
/** `all` under Node, `page` in the page. */
export const inPage = <T>(all: T[], page: T[]): T[] => (IN_PAGE ? page : all);

/** The message a kernel creation (or any call) fails with, '' when it succeeds; sync throws and rejections alike. */
export async function refusal(make: () => unknown): Promise<string> {
  try {
    await make();
    return '';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
