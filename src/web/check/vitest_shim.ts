/**
 * What the page's bundler gives test/kernels/*.test.ts for `import ... from 'vitest'` (see
 * src/web/vite/kernel_suite.ts): tests register in ./registry.ts and run on the page's WebGPU device.
 * `it.skipIf(condition)` and `describe.skipIf(condition)` register their tests as skipped when the condition
 * is truthy; a string condition (the harness's `subgroups.missing`) is the reason the page shows.
 */
import { group, register } from './registry.js';

export { expect } from './expect.js';

type TestFn = (title: string, run: () => unknown) => void;
type SuiteFn = (title: string, body: () => void) => void;

/** The reason a skipIf condition gives: its own words when it is a string. */
export function skipReason(condition: unknown): string | null {
  if (!condition) return null;
  return typeof condition === 'string' ? condition : 'its skipIf condition holds';
}

export const it: TestFn & { skipIf(condition: unknown): TestFn } = Object.assign(
  (title: string, run: () => unknown) => register(title, run),
  { skipIf: (condition: unknown): TestFn => (title, run) => register(title, run, skipReason(condition)) },
);

export const test = it;

export const describe: SuiteFn & { skipIf(condition: unknown): SuiteFn } = Object.assign(
  (title: string, body: () => void) => group(title, body),
  { skipIf: (condition: unknown): SuiteFn => (title, body) => group(title, body, skipReason(condition)) },
);
