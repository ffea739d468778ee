/**
 * Collects the kernel suite's tests when its files are imported in the page: test/kernels/*.test.ts call
 * describe/it from 'vitest', which the page's bundler points at ./vitest_shim.ts, which registers here.
 */
export interface RegisteredTest {
  file: string;
  /** "describe title > test title", as vitest prints it. */
  name: string;
  run: () => unknown;
  /** Why the test is skipped (its own `it.skipIf` or an enclosing `describe.skipIf`), or null when it runs. */
  skip: string | null;
}

const registered: RegisteredTest[] = [];
const titles: string[] = [];
const skips: Array<string | null> = [];
let currentFile = '(unknown file)';

export function register(name: string, run: () => unknown, skip: string | null = null): void {
  registered.push({ file: currentFile, name: [...titles, name].join(' > '), run, skip: skips.find((s) => s !== null) ?? skip });
}

/**
 * describe blocks run at once, as in vitest's collection phase; their titles prefix the tests inside, and a
 * skipped block's reason (`skip`) skips every test inside it.
 */
export function group(title: string, body: () => void, skip: string | null = null): void {
  titles.push(title);
  skips.push(skip);
  try {
    body();
  } finally {
    titles.pop();
    skips.pop();
  }
}

/** Imports one test file and returns the tests it registered. Files must be collected one at a time. */
export async function collectFile(file: string, load: () => Promise<unknown>): Promise<RegisteredTest[]> {
  const before = registered.length;
  currentFile = file;
  try {
    await load();
  } finally {
    currentFile = '(unknown file)';
  }
  return registered.slice(before);
}
