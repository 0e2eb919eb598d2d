// One backfill of every users row at several batch sizes and delays: the trade-off between how
// long it takes, what the app's p99 feels while it runs, and how much WAL it writes (each batch's
// own WAL from pg_stat_statements, and all the cluster wrote meanwhile).
import { defineScenario } from '../harness/scenario.ts';
import { sampleApp } from '../sample-app/app.ts';
import type { Step, Variant } from '../harness/scenario.ts';

/** The same change in each variant; only the backfill's batch size and delay differ. */
const tuned = (batchSize: number, delayMs: number): Variant => ({
  description: `Backfill users.balance_cents in batches of ${batchSize.toLocaleString('en-US')} rows with ${delayMs} ms between batches.`,
  steps: [
    // Steady state first.
    { kind: 'pause', name: 'baseline', seconds: 1 },
    // The column to fill (catalog only), and a trigger that keeps rows the app writes from now on right: without
    // it, users created after the last batch would stay NULL (a first rehearsal of this scenario caught that).
    {
      kind: 'sql', name: 'add-column', lockTimeoutMs: 500,
      sql: [
        'ALTER TABLE users ADD COLUMN balance_cents bigint',
        `CREATE FUNCTION users_balance_cents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.balance_cents := NEW.balance::bigint * 100; RETURN NEW; END $$`,
        'CREATE TRIGGER users_balance_cents BEFORE INSERT OR UPDATE OF balance ON users FOR EACH ROW EXECUTE FUNCTION users_balance_cents()',
      ],
      rollback: ['DROP TRIGGER users_balance_cents ON users', 'DROP FUNCTION users_balance_cents()', 'ALTER TABLE users DROP COLUMN balance_cents'],
    },
    // The measured part: each batch is one transaction holding its rows' locks until it commits.
    { kind: 'backfill', name: 'backfill', table: 'users', set: 'balance_cents = balance::bigint * 100', where: 'balance_cents IS NULL', batchSize, delayMs },
    // Every row right, old and new.
    { kind: 'verify', name: 'verify', sql: 'SELECT count(*) FROM users WHERE balance_cents IS DISTINCT FROM balance::bigint * 100' },
    // Recovery.
    { kind: 'pause', name: 'after', seconds: 1 },
  ] satisfies Step[],
});

export default defineScenario({
  name: 'backfill-tuning',
  description: 'One backfill at several batch sizes and delays: duration vs p99 vs WAL volume.',
  app: sampleApp({ initialVersion: 'old', versions: { old: {} } }),
  variants: {
    'batch-1k-delay-20ms': tuned(1000, 20),
    'batch-10k-delay-20ms': tuned(10_000, 20),
    'batch-50k-no-delay': tuned(50_000, 0),
  },
});
