import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // *.preview.ts render pictures for a person to look at rather than assert; they run only when asked.
    include: ['test/**/*.test.ts', ...(process.env.REPORT_PREVIEW_DIR ? ['test/**/*.preview.ts'] : [])],
    // test/acceptance/: long runs on the real data (minutes on lavapipe), only with ACCEPTANCE=1.
    exclude: ['**/node_modules/**', ...(process.env.ACCEPTANCE ? [] : ['test/acceptance/**'])],
    globalSetup: ['test/global-setup.ts'],
    // GPU tests run on lavapipe, which uses every core itself: two files at a time is plenty.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
  },
});
