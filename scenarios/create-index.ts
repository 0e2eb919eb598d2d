// An index on users(created_at). A plain CREATE INDEX holds SHARE on the table for the whole
// build: every write waits, reads go on. CONCURRENTLY lets writes go on, runs outside a
// transaction, and when it fails it leaves an INVALID index behind that must be found and dropped.
import { defineScenario } from '../harness/scenario.ts';
import { sampleApp } from '../sample-app/app.ts';

export default defineScenario({
  name: 'create-index',
  description: 'Build an index on a hot table: plain (writes wait), CONCURRENTLY, and a CONCURRENTLY build that fails and leaves an INVALID index.',
  app: sampleApp({ initialVersion: 'old', versions: { old: {} } }),
  variants: {
    plain: {
      description: 'CREATE INDEX: SHARE lock for the whole build; inserts and updates of users wait, reads do not.',
      steps: [
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // SHARE conflicts with the ROW EXCLUSIVE every INSERT/UPDATE needs, not with the ACCESS SHARE of a SELECT.
        { kind: 'sql', name: 'create-index', sql: 'CREATE INDEX users_created_at_idx ON users (created_at)', rollback: 'DROP INDEX CONCURRENTLY IF EXISTS users_created_at_idx' },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
    concurrently: {
      description: 'CREATE INDEX CONCURRENTLY: SHARE UPDATE EXCLUSIVE, reads and writes go on; two scans instead of one, outside a transaction.',
      steps: [
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // Cannot run in a transaction block: the step runs it alone, in autocommit.
        { kind: 'sql', name: 'create-index', sql: 'CREATE INDEX CONCURRENTLY users_created_at_idx ON users (created_at)', rollback: 'DROP INDEX CONCURRENTLY IF EXISTS users_created_at_idx' },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
    'concurrently-failed': {
      description: 'A UNIQUE index built CONCURRENTLY on data that is not unique fails (23505) and leaves an INVALID index; it is found, dropped, and none is left.',
      steps: [
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // "One order per user" is not true of the data: the build fails at validation. The harness
        // names the INVALID index it leaves behind (the app pays for it on every insert).
        { kind: 'sql', name: 'create-unique-index', sql: 'CREATE UNIQUE INDEX CONCURRENTLY orders_user_id_key ON orders (user_id)', expectError: '23505' },
        // The cleanup a failed CONCURRENTLY build always needs, itself without blocking writes.
        { kind: 'sql', name: 'drop-invalid', sql: 'DROP INDEX CONCURRENTLY IF EXISTS orders_user_id_key' },
        // No INVALID index may be left in the schema.
        { kind: 'verify', name: 'verify-no-invalid-index', sql: 'SELECT count(*) FROM pg_index WHERE NOT indisvalid' },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
  },
});
