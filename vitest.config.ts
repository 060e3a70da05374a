import { defineConfig } from 'vitest/config';

// One Temporal dev server per run (started in test/global-setup.ts); test files run in forks because
// the Temporal core bridge is a native addon that does not like worker_threads.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    // The default table for people, plus one plain closing line for CI.
    reporters: ['default', './test/closing-line-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
