// Enforce that users.referral_code is unique. ADD CONSTRAINT … UNIQUE builds its index while it
// holds ACCESS EXCLUSIVE: reads and writes of users wait for the whole build. Building the unique
// index CONCURRENTLY first and attaching it (USING INDEX) holds ACCESS EXCLUSIVE for the attach only.
import { defineScenario } from '../harness/scenario.ts';
import { sampleApp } from '../sample-app/app.ts';
import type { Step } from '../harness/scenario.ts';

// Both variants start from a referral_code column filled with unique codes (the app never writes it).
const setup: Step[] = [
  // Setup: the new column, catalog only.
  { kind: 'sql', name: 'setup-add-column', sql: 'ALTER TABLE users ADD COLUMN referral_code text', lockTimeoutMs: 500 },
  // Setup: unique codes for every existing user, in batches.
  { kind: 'backfill', name: 'setup-backfill', table: 'users', set: "referral_code = 'r' || to_hex(id)", where: 'referral_code IS NULL', batchSize: 5000, delayMs: 10 },
];

export default defineScenario({
  name: 'add-unique',
  description: 'Make users.referral_code unique: an inline UNIQUE constraint vs a unique index built CONCURRENTLY and attached with USING INDEX.',
  app: sampleApp({ initialVersion: 'old', versions: { old: {} } }),
  variants: {
    inline: {
      description: 'ADD CONSTRAINT … UNIQUE: the index is built under ACCESS EXCLUSIVE; every query on users waits.',
      steps: [
        ...setup,
        // Steady state first (after the setup's own writes).
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // Builds the whole index while holding the strongest lock there is.
        { kind: 'sql', name: 'add-unique', sql: 'ALTER TABLE users ADD CONSTRAINT users_referral_code_key UNIQUE (referral_code)', rollback: 'ALTER TABLE users DROP CONSTRAINT users_referral_code_key' },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
    'concurrent-index': {
      description: 'CREATE UNIQUE INDEX CONCURRENTLY (reads and writes go on), then ADD CONSTRAINT … UNIQUE USING INDEX (brief ACCESS EXCLUSIVE).',
      steps: [
        ...setup,
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // The build, under SHARE UPDATE EXCLUSIVE, outside a transaction.
        { kind: 'sql', name: 'build-index', sql: 'CREATE UNIQUE INDEX CONCURRENTLY users_referral_code_key ON users (referral_code)', rollback: 'DROP INDEX CONCURRENTLY IF EXISTS users_referral_code_key' },
        // Catalog only: the index becomes the constraint's; lock_timeout bounds the queue wait.
        { kind: 'sql', name: 'attach', sql: 'ALTER TABLE users ADD CONSTRAINT users_referral_code_key UNIQUE USING INDEX users_referral_code_key', lockTimeoutMs: 500, rollback: 'ALTER TABLE users DROP CONSTRAINT users_referral_code_key' },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
  },
});
