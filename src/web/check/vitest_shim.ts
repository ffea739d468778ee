/**
 * What the page's bundler gives test/kernels/*.test.ts for `import ... from 'vitest'` (see
 * src/web/vite/kernel_suite.ts): tests register in ./registry.ts and run on the page's WebGPU device.
 */
import { group, register } from './registry.js';

export { expect } from './expect.js';

export function describe(title: string, body: () => void): void {
  group(title, body);
}

export function it(title: string, run: () => unknown): void {
  register(title, run);
}

export const test = it;
