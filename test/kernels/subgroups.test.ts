import { describe, expect, it } from 'vitest';
import { describeAdapter, type Gpu } from '../../src/gpu/device.js';
import { subgroupSupportOf, subgroupSupport, testGpu } from './harness.js';

// The subgroup kernels' tests are skipped where subgroupSize() (src/kernels/subgroups.ts) gives null, with the
// reason harness.ts words. lavapipe has a fixed subgroup size, so there a skip would be a fault: the subgroup paths
// left untested on the very adapter CI runs (CI also fails on any skipped subgroup test: REQUIRE_SUBGROUPS in .ci/run).
const subgroups = await subgroupSupport();
// Dawn names lavapipe vendor "mesa", architecture "software", device "llvmpipe-llvm-15-0-6-256-bits-",
// description "llvmpipe: Mesa 25.0.7 ...".
const adapter = (await testGpu()).adapterInfo;
const lavapipe = /llvmpipe/.test(`${adapter.device} ${adapter.description}`);

function fakeGpu(deviceFeatures: string[], adapterFeatures: string[], info: { subgroupMinSize?: number; subgroupMaxSize?: number }): Gpu {
  return { device: { features: new Set(deviceFeatures) }, adapter: { features: new Set(adapterFeatures), info } } as unknown as Gpu;
}

describe('subgroupSize: where the subgroup kernels run, and why not elsewhere', () => {
  it.skipIf(!lavapipe && `the adapter is ${describeAdapter(adapter)}, not lavapipe (llvmpipe)`)(
    'on lavapipe (llvmpipe) the test device has a fixed subgroup size, so no subgroup kernel test is skipped there',
    () => {
      expect(subgroups.missing).toBe(false);
      expect(subgroups.size).toBeGreaterThanOrEqual(4);
    },
  );

  it('the skip reason says which condition failed', () => {
    expect(subgroupSupportOf(fakeGpu(['subgroups'], ['subgroups'], { subgroupMinSize: 8, subgroupMaxSize: 8 }))).toEqual({ size: 8, missing: false });
    expect(subgroupSupportOf(fakeGpu([], ['subgroups'], { subgroupMinSize: 8, subgroupMaxSize: 8 }))).toEqual({
      size: null,
      missing: "the device was made without 'subgroups'",
    });
    expect(subgroupSupportOf(fakeGpu([], [], {}))).toEqual({ size: null, missing: 'the adapter gives no subgroups' });
    expect(subgroupSupportOf(fakeGpu(['subgroups'], ['subgroups'], { subgroupMinSize: 4, subgroupMaxSize: 128 }))).toEqual({
      size: null,
      missing: "the adapter's subgroup size is not one power of two up to 32 (min 4, max 128)",
    });
  });
});
