import { defineConfig } from 'vitest/config';

/**
 * The scenario library's end-to-end rehearsals and the 20-trial random Ctrl-C test take as long
 * as the rest of the suite together: they run as `npm run test:library` (CI runs both), so that
 * `npm test` stays under 10 minutes on 2 cores. change-column-type, the default scenario, stays here.
 */
export const LIBRARY_TESTS = ['scenarios/!(change-column-type).test.ts', 'harness/cli/random-interrupt.test.ts'];

export const SHARED = {
  // Integration tests run real Postgres, app processes and timed load on a 2-core machine:
  // one file at a time keeps their measurements honest.
  fileParallelism: false,
  testTimeout: 180_000,
  hookTimeout: 120_000,
  pool: 'forks' as const,
  globalSetup: ['harness/testing/global-setup.ts'],
  // Every run seeds afresh (warm-start cache off): a test that wants the cache gives it a temp dir.
  env: { REHEARSE_CACHE: 'off' },
};

export default defineConfig({
  test: {
    ...SHARED,
    include: ['harness/**/*.test.ts', 'sample-app/**/*.test.ts', 'scenarios/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...LIBRARY_TESTS],
  },
});
