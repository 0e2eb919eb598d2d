// Convert orders into a table partitioned by year of created_at, online: a partitioned shadow
// table, a trigger that keeps it current, a batched copy of the old rows, verification, and an
// atomic rename swap that holds ACCESS EXCLUSIVE for milliseconds under a short lock_timeout.
import { defineScenario } from '../harness/scenario.ts';
import { sampleApp } from '../sample-app/app.ts';

const YEARS = [2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026];
const COLS = 'id, user_id, amount_cents, status, created_at';

export default defineScenario({
  name: 'partition-table',
  description: 'Partition orders by year through a shadow table kept current by a trigger, a batched copy, verification and an atomic rename swap.',
  app: sampleApp({ initialVersion: 'old', versions: { old: {} } }),
  variants: {
    'shadow-swap': {
      description: 'orders_p partitioned by range (created_at), a sync trigger, a batched copy, count + row checks, then RENAME swap under lock_timeout 200 ms.',
      steps: [
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // The shadow table: same columns, partitioned (the key must be in the primary key); empty, so its index is
        // cheap now. It touches no existing table, so nothing the app uses is locked.
        {
          kind: 'sql', name: 'create-shadow',
          sql: [
            'CREATE TABLE orders_p (id bigint NOT NULL, user_id bigint NOT NULL, amount_cents int NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL, PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at)',
            ...YEARS.map((y) => `CREATE TABLE orders_p_${y} PARTITION OF orders_p FOR VALUES FROM ('${y}-01-01') TO ('${y + 1}-01-01')`),
            'CREATE TABLE orders_p_default PARTITION OF orders_p DEFAULT',
            'CREATE INDEX orders_p_user_id_idx ON orders_p (user_id)',
          ],
          rollback: 'DROP TABLE orders_p',
        },
        // The FK in its own short transaction: it takes SHARE ROW EXCLUSIVE on users (writes wait), so it must not
        // share a transaction with the statements above (a first rehearsal did: writes stalled for all of them).
        { kind: 'sql', name: 'shadow-fk', sql: 'ALTER TABLE orders_p ADD CONSTRAINT orders_p_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)', lockTimeoutMs: 500, rollback: 'ALTER TABLE orders_p DROP CONSTRAINT orders_p_user_id_fkey' },
        // Keep the shadow current: every insert, update and delete of orders is repeated on it, in the same transaction.
        // CREATE TRIGGER takes SHARE ROW EXCLUSIVE on orders (its writes wait): bounded by lock_timeout.
        {
          kind: 'sql', name: 'sync-trigger', lockTimeoutMs: 500,
          sql: [
            `CREATE FUNCTION orders_sync_to_p() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM orders_p WHERE id = OLD.id AND created_at = OLD.created_at;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO orders_p (${COLS}) VALUES (NEW.id, NEW.user_id, NEW.amount_cents, NEW.status, NEW.created_at) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$`,
            'CREATE TRIGGER orders_sync AFTER INSERT OR UPDATE OR DELETE ON orders FOR EACH ROW EXECUTE FUNCTION orders_sync_to_p()',
          ],
          rollback: ['DROP TRIGGER orders_sync ON orders', 'DROP FUNCTION orders_sync_to_p()'],
        },
        // Copy the old rows in batches; rows the trigger already wrote are skipped.
        { kind: 'backfill', name: 'copy', table: 'orders', into: { table: 'orders_p', columns: COLS.split(', '), select: COLS.split(', ').map((c) => `orders.${c}`).join(', ') }, batchSize: 10000, delayMs: 10 },
        // Count: the same number of rows (one snapshot; the trigger writes both in one transaction).
        { kind: 'verify', name: 'verify-count', sql: 'SELECT (SELECT count(*) FROM orders) - (SELECT count(*) FROM orders_p) AS count' },
        // Rows: every order is in the shadow with the same values, and nothing else is.
        {
          kind: 'verify', name: 'verify-rows',
          sql: `SELECT count(*) FROM orders o FULL JOIN orders_p p ON p.id = o.id AND p.created_at = o.created_at
                WHERE o.id IS NULL OR p.id IS NULL OR (o.user_id, o.amount_cents, o.status) IS DISTINCT FROM (p.user_id, p.amount_cents, p.status)`,
        },
        // The swap, in one transaction: both names move at once, new ids continue from the old sequence. ACCESS
        // EXCLUSIVE on both tables for milliseconds; lock_timeout 200 ms so it never queues long, retried with backoff.
        {
          kind: 'sql', name: 'swap', lockTimeoutMs: 200, retries: 30, backoffMs: 100,
          sql: [
            'LOCK TABLE orders, orders_p IN ACCESS EXCLUSIVE MODE',
            'ALTER TABLE orders RENAME TO orders_old',
            'ALTER TABLE orders_p RENAME TO orders',
            'DROP TRIGGER orders_sync ON orders_old',
            'ALTER TABLE orders ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY',
            "SELECT setval(pg_get_serial_sequence('orders', 'id'), (SELECT max(id) FROM orders_old))",
          ],
        },
        // The app now writes the partitioned table: check it is the one named orders, and that no old row is missing.
        { kind: 'verify', name: 'verify-partitioned', sql: "SELECT count(*) FROM pg_class WHERE relname = 'orders' AND relnamespace = 'public'::regnamespace AND relkind <> 'p'" },
        { kind: 'verify', name: 'verify-swapped', sql: 'SELECT count(*) FROM orders_old o LEFT JOIN orders n ON n.id = o.id AND n.created_at = o.created_at WHERE n.id IS NULL' },
        // Contract: the old table is unused; dropping it touches users' FK triggers too, so bound the queue wait.
        { kind: 'sql', name: 'drop-old', sql: 'DROP TABLE orders_old', lockTimeoutMs: 500 },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
  },
});
