// ADD COLUMN on a hot table, four ways. Every form takes ACCESS EXCLUSIVE on users; what differs
// is how long it holds it: catalog-only (nullable, or a constant default since PG 11) versus a
// rewrite of every row (a volatile default). The safe way to a volatile value never rewrites.
import { defineScenario } from '../harness/scenario.ts';
import { sampleApp } from '../sample-app/app.ts';

export default defineScenario({
  name: 'add-column',
  description: 'Add a column to users: nullable, constant default, volatile default, and the safe way to a volatile value.',
  app: sampleApp({ initialVersion: 'old', versions: { old: {} } }),
  variants: {
    nullable: {
      description: 'ADD COLUMN preferences jsonb, nullable: catalog only, no rewrite (a literature claim says jsonb rewrites).',
      steps: [
        // Steady state first, so a spike has something to stand out from.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // Nullable, no default: PostgreSQL only writes the catalog; the rows are not touched.
        { kind: 'sql', name: 'add-column', sql: 'ALTER TABLE users ADD COLUMN preferences jsonb', lockTimeoutMs: 500, rollback: 'ALTER TABLE users DROP COLUMN preferences' },
        // Recovery: any stall must end here.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
    'constant-default': {
      description: "ADD COLUMN plan text NOT NULL DEFAULT 'free': since PG 11 the constant is stored once in the catalog, no rewrite.",
      steps: [
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // A NOT NULL column with a constant default: a literature claim says this rewrites every row.
        { kind: 'sql', name: 'add-column', sql: "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free'", lockTimeoutMs: 500, rollback: 'ALTER TABLE users DROP COLUMN plan' },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
    'volatile-default': {
      description: 'ADD COLUMN token uuid DEFAULT gen_random_uuid(): every row needs its own value, so the table is rewritten under ACCESS EXCLUSIVE.',
      steps: [
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // Volatile default: each existing row gets its own value, written by a full table rewrite.
        { kind: 'sql', name: 'add-column', sql: 'ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()' },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
    'safe-volatile': {
      description: 'The same token column without a rewrite: add it nullable, set the default for new rows, backfill old rows in batches, verify.',
      steps: [
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // Catalog only; a short lock_timeout so it never waits long in the lock queue.
        { kind: 'sql', name: 'add-column', sql: 'ALTER TABLE users ADD COLUMN token uuid', lockTimeoutMs: 500, rollback: 'ALTER TABLE users DROP COLUMN token' },
        // New rows get a value from now on; SET DEFAULT touches no existing row.
        { kind: 'sql', name: 'set-default', sql: 'ALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid()', lockTimeoutMs: 500, rollback: 'ALTER TABLE users ALTER COLUMN token DROP DEFAULT' },
        // Old rows in small batches, each its own short transaction; `where` keeps it idempotent.
        { kind: 'backfill', name: 'backfill', table: 'users', set: 'token = gen_random_uuid()', where: 'token IS NULL', batchSize: 5000, delayMs: 10 },
        // The invariant the steps established: no row without a token.
        { kind: 'verify', name: 'verify', sql: 'SELECT count(*) FROM users WHERE token IS NULL' },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
  },
});
