// users.updated_at NOT NULL. Two lessons: SET NOT NULL checks every row under ACCESS EXCLUSIVE,
// and no plan works while the app still writes NULLs — the old code creates users without
// updated_at, so the constraint fails (or, once it exists, the old code's inserts do).
import { defineScenario } from '../harness/scenario.ts';
import { sampleApp } from '../sample-app/app.ts';
import type { User } from '../sample-app/data-access.ts';

export default defineScenario({
  name: 'add-not-null',
  description: 'Make users.updated_at NOT NULL: the full scan under ACCESS EXCLUSIVE, the CHECK NOT VALID way around it, and why the app must stop writing NULLs first.',
  app: sampleApp({
    initialVersion: 'old',
    versions: {
      // The old code leaves updated_at NULL on insert.
      old: {},
      'writes-updated-at': {
        async createUser(db, { email, fullName, balance }) {
          const r = await db.query<User>(
            'INSERT INTO users (email, full_name, balance, updated_at) VALUES ($1, $2, $3, now()) RETURNING id, email, full_name, balance, created_at',
            [email, fullName, balance],
          );
          return r.rows[0]!;
        },
      },
    },
  }),
  variants: {
    'old-code-writes-nulls': {
      description: 'Backfill the NULLs, then SET NOT NULL while the old code still inserts users without updated_at: the new NULLs make it fail (SQLSTATE 23502).',
      steps: [
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // The existing NULLs are fixed in batches...
        { kind: 'backfill', name: 'backfill', table: 'users', set: 'updated_at = created_at', where: 'updated_at IS NULL', batchSize: 5000, delayMs: 10 },
        // ...but the old code keeps creating users without updated_at while the migration waits its turn.
        { kind: 'pause', name: 'meanwhile', seconds: 2 },
        // Fails on the rows inserted since the backfill: the lesson this variant exists to show.
        { kind: 'sql', name: 'set-not-null', sql: 'ALTER TABLE users ALTER COLUMN updated_at SET NOT NULL', lockTimeoutMs: 500, expectError: '23502' },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
    plain: {
      description: 'Deploy code that writes updated_at, backfill, then SET NOT NULL: it succeeds, after scanning every row under ACCESS EXCLUSIVE.',
      steps: [
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // First stop writing NULLs: the one step no plan can skip.
        { kind: 'deploy', name: 'deploy-writes-updated-at', version: 'writes-updated-at' },
        // Fix the old rows in batches.
        { kind: 'backfill', name: 'backfill', table: 'users', set: 'updated_at = created_at', where: 'updated_at IS NULL', batchSize: 5000, delayMs: 10 },
        // Nothing left to fix.
        { kind: 'verify', name: 'verify', sql: 'SELECT count(*) FROM users WHERE updated_at IS NULL' },
        // Reads every row to prove there is no NULL, holding ACCESS EXCLUSIVE (reads and writes wait) for the whole scan.
        { kind: 'sql', name: 'set-not-null', sql: 'ALTER TABLE users ALTER COLUMN updated_at SET NOT NULL', lockTimeoutMs: 500, rollback: 'ALTER TABLE users ALTER COLUMN updated_at DROP NOT NULL' },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
    safe: {
      description: 'Deploy, backfill, CHECK (updated_at IS NOT NULL) NOT VALID, VALIDATE (reads and writes go on), then SET NOT NULL without a scan, and drop the check.',
      steps: [
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // First stop writing NULLs.
        { kind: 'deploy', name: 'deploy-writes-updated-at', version: 'writes-updated-at' },
        // Fix the old rows in batches.
        { kind: 'backfill', name: 'backfill', table: 'users', set: 'updated_at = created_at', where: 'updated_at IS NULL', batchSize: 5000, delayMs: 10 },
        // Brief ACCESS EXCLUSIVE, no scan: new rows are checked from now on, old ones not yet.
        {
          kind: 'sql', name: 'add-check', sql: 'ALTER TABLE users ADD CONSTRAINT users_updated_at_not_null CHECK (updated_at IS NOT NULL) NOT VALID', lockTimeoutMs: 500,
          rollback: 'ALTER TABLE users DROP CONSTRAINT IF EXISTS users_updated_at_not_null',
        },
        // The scan, under SHARE UPDATE EXCLUSIVE: reads and writes go on while it checks every row.
        { kind: 'sql', name: 'validate', sql: 'ALTER TABLE users VALIDATE CONSTRAINT users_updated_at_not_null' },
        // The validated check proves there is no NULL, so SET NOT NULL skips its scan (PG 12+); the check is then redundant.
        {
          kind: 'sql', name: 'set-not-null', lockTimeoutMs: 500,
          sql: ['ALTER TABLE users ALTER COLUMN updated_at SET NOT NULL', 'ALTER TABLE users DROP CONSTRAINT users_updated_at_not_null'],
          rollback: 'ALTER TABLE users ALTER COLUMN updated_at DROP NOT NULL',
        },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
  },
});
