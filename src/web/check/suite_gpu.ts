/**
 * Stands in for src/gpu/node.ts when the kernel suite is bundled into the page: the suite's harness asks
 * for `createNodeGpu()` and gets the browser's device instead (see src/web/vite/kernel_suite.ts).
 */
import type { Gpu } from '../../gpu/device.js';
import { acquireBrowserGpu } from '../gpu.js';

export function createNodeGpu(): Promise<Gpu> {
  return acquireBrowserGpu();
}
