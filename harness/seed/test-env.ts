// Integration tests need a server; they read its URL from the environment and skip, saying
// why, when it is not set (the embedded provider wires it up in CI).
export const TEST_DATABASE_URL = process.env.REHEARSE_TEST_DATABASE_URL;

if (!TEST_DATABASE_URL) {
  console.warn('harness/seed: REHEARSE_TEST_DATABASE_URL is not set; skipping the tests that need PostgreSQL.');
}

export const needsDb = (title: string): string =>
  TEST_DATABASE_URL ? title : `${title} (skipped: set REHEARSE_TEST_DATABASE_URL=postgres://… to run)`;
