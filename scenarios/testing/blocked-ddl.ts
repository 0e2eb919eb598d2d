// Ground truth for compare and abortOnFail: a long report query (another session, via dblink)
// holds ACCESS SHARE on users for 8 s while a catalog-only ALTER needs ACCESS EXCLUSIVE. With a
// lock_timeout the ALTER gives up and retries, so reads keep flowing; without one it waits in the
// lock queue and every read behind it stalls until the report ends. Removing lockTimeoutMs is the
// regression that `rehearse compare` must flag.
import { sampleApp } from '../../sample-app/app.ts';
import { defineScenario } from '../../harness/scenario.ts';

/** A second session of the same database, from inside the migration's own session. */
const OTHER_SESSION = "'host=127.0.0.1 port=' || current_setting('port') || ' dbname=' || current_database() || ' user=' || current_user || ' application_name=report-query'";

export default defineScenario({
  name: 'blocked-ddl',
  description: 'Test scenario: ADD COLUMN behind a 8 s report query, with lock_timeout and retries.',
  app: sampleApp({ initialVersion: 'old', versions: { old: {} } }),
  variants: {
    safe: {
      description: 'A 8 s report query holds ACCESS SHARE on users; ADD COLUMN with lock_timeout 200 ms, retried.',
      steps: [
        { kind: 'sql', name: 'setup', sql: 'CREATE EXTENSION IF NOT EXISTS dblink' },
        {
          kind: 'sql',
          name: 'report-query',
          transaction: false,
          sql: [
            `SELECT dblink_connect('report', ${OTHER_SESSION})`,
            // Runs on its own while the steps go on: BEGIN, read users, keep the transaction 8 s, COMMIT.
            "SELECT dblink_send_query('report', 'BEGIN; SELECT count(*) FROM users; SELECT pg_sleep(8); COMMIT')",
          ],
        },
        { kind: 'sql', name: 'expand', sql: 'ALTER TABLE users ADD COLUMN note text', lockTimeoutMs: 200, retries: 60, backoffMs: 100 },
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
  },
});
