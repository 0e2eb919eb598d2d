import { defineConfig } from 'vitest/config';

/**
 * The long suite (`npm run test:long`; CI runs it after `npm test`): the scenario library's
 * end-to-end rehearsals, Ctrl-C at 20 random moments and the fixed interrupt cases, the docker
 * provider, the version matrix and the warm-start cache (several servers or runs each), and the
 * scale projection and load-condition tests (many timed runs). Together they take as long as the
 * rest, and `npm test` must stay under 10 minutes on 2 cores. change-column-type, the default
 * scenario, stays in `npm test`.
 */
export const LONG_TESTS = [
  'scenarios/!(change-column-type).test.ts',
  'harness/cli/random-interrupt.test.ts',
  'harness/runner/version-matrix.test.ts',
  'harness/runner/warm-start.test.ts',
  'harness/runner/projection.test.ts',
  'harness/runner/load-conditions.test.ts',
  'harness/cli/interrupt.test.ts',
  'harness/postgres/docker.test.ts',
  'harness/postgres/seed-cache.test.ts',
];

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
    exclude: ['**/node_modules/**', ...LONG_TESTS],
  },
});
