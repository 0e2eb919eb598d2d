// The unit tests of the pure modules that `npm run test:mutation` mutates: no database, no
// processes, no globalSetup, so Stryker's sandbox can run them thousands of times.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'harness/model/*.test.ts',
      'harness/runner/verify-count.test.ts',
      'harness/cli/args.test.ts',
      'harness/sql/split-statements.test.ts',
    ],
    testTimeout: 30_000,
  },
});
