// One embedded Postgres for the test files that only need "a server" (each makes its own
// scratch database on it). Files that measure timings start their own server.
import { startEmbeddedPostgres } from '../postgres/embedded.ts';
import type { PostgresHandle } from '../postgres/provider.ts';

let handle: PostgresHandle | undefined;

export async function setup(): Promise<void> {
  if (process.env.REHEARSE_TEST_DATABASE_URL) return;
  handle = await startEmbeddedPostgres();
  process.env.REHEARSE_TEST_DATABASE_URL = handle.url();
}

export async function teardown(): Promise<void> {
  await handle?.stop();
}
