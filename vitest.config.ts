import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // *.preview.ts render pictures for a person to look at rather than assert; they run only when asked.
    include: ['test/**/*.test.ts', ...(process.env.REPORT_PREVIEW_DIR ? ['test/**/*.preview.ts'] : [])],
    // test/acceptance/ holds full-length training runs (an hour on lavapipe): only `npm run test:acceptance`.
    exclude: [...configDefaults.exclude, ...(process.env.ACCEPTANCE ? [] : ['test/acceptance/**'])],
    globalSetup: ['test/global-setup.ts'],
    // GPU tests run on lavapipe, which uses every core itself: two files at a time is plenty.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
  },
});
