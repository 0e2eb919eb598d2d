import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['harness/**/*.test.ts', 'sample-app/**/*.test.ts', 'scenarios/**/*.test.ts'],
    // Integration tests run real Postgres, app processes and timed load on a 2-core machine:
    // one file at a time keeps their measurements honest.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['harness/testing/global-setup.ts'],
    // Every run seeds afresh (warm-start cache off): a test that wants the cache gives it a temp dir.
    env: { REHEARSE_CACHE: 'off' },
  },
});
