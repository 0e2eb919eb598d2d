// Traces migration statements: how long each waited for its own locks, which locks it holds
// (pg_locks for its backend, read in the same transaction before commit), and whether it
// rewrote a table or index (relfilenode changed). Lock waits are watched from a separate
// connection, because the migration's own connection is busy executing the statement.
import type pg from 'pg';
import { pgClient } from '../postgres/client.ts';
import { now, sleep } from '../clock.ts';
import type { LockHeld } from '../model/schema.ts';

/** Per relation: its relfilenode, and for tables the rows read by seq scans so far in this transaction. */
export type Relfilenodes = Map<number, { name: string; relfilenode: number; seqRows: number }>;

// pg_stat_xact_user_tables counts the current transaction's own scans, so inside a migration
// transaction the difference around a statement is what that statement read (a validation scan).
const RELFILENODES_SQL = `
SELECT c.oid::int8 AS oid, c.oid::regclass::text AS name, c.relfilenode::int8 AS relfilenode, coalesce(x.seq_tup_read, 0)::int8 AS seq_rows
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_xact_user_tables x ON x.relid = c.oid
WHERE c.relkind IN ('r', 'i', 'm', 'p', 't') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'`;

// Relation locks on user relations only: the tracer's own catalog reads are not the migration's.
const OWN_LOCKS_SQL = `
SELECT l.locktype, l.mode, c.oid::regclass::text AS relation
FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE l.pid = pg_backend_pid() AND l.granted AND l.locktype = 'relation'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY relation, mode`;

export async function snapshotRelfilenodes(client: pg.ClientBase): Promise<Relfilenodes> {
  const r = await client.query<{ oid: string; name: string; relfilenode: string; seq_rows: string }>(RELFILENODES_SQL);
  return new Map(r.rows.map((row) => [Number(row.oid), { name: row.name, relfilenode: Number(row.relfilenode), seqRows: Number(row.seq_rows) }]));
}

/** Rows each table gave to sequential scans between two snapshots of one transaction. */
export function scannedBetween(before: Relfilenodes, after: Relfilenodes): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [oid, a] of after) {
    const n = a.seqRows - (before.get(oid)?.seqRows ?? 0);
    if (n > 0) out[a.name] = n;
  }
  return out;
}

/** Indexes left INVALID (a failed or cancelled CREATE INDEX CONCURRENTLY leaves one behind). */
export async function invalidIndexes(client: pg.ClientBase): Promise<string[]> {
  const r = await client.query<{ name: string }>(`
SELECT i.indexrelid::regclass::text AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT i.indisvalid AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`);
  return r.rows.map((row) => row.name);
}

/** Relations that still exist and got a new relfilenode: the table (or index) was rewritten. */
export function rewrittenBetween(before: Relfilenodes, after: Relfilenodes): string[] {
  const out: string[] = [];
  for (const [oid, b] of before) {
    const a = after.get(oid);
    if (a && a.relfilenode !== b.relfilenode) out.push(a.name);
  }
  return out.sort();
}

/** Relations that exist now and did not before: created since `before` (their locks block nobody). */
export function createdBetween(before: Relfilenodes, after: Relfilenodes): string[] {
  return [...after].filter(([oid]) => !before.has(oid)).map(([, a]) => a.name).sort();
}

/**
 * Another session sees a relation created by an uncommitted transaction only as its OID (regclass
 * cannot name it yet): name it from the migration's own snapshot taken after the statement.
 */
export function nameLocks(locks: LockHeld[], after: Relfilenodes): LockHeld[] {
  return locks.map((l) => (l.relation && /^\d+$/.test(l.relation) && after.has(Number(l.relation)) ? { ...l, relation: after.get(Number(l.relation))!.name } : l));
}

export async function locksHeld(client: pg.ClientBase): Promise<LockHeld[]> {
  const r = await client.query<LockHeld>(OWN_LOCKS_SQL);
  return r.rows;
}

/**
 * Watches one backend while it runs a statement and measures how long it waited on locks.
 * Each poll reads clock_timestamp() - waitstart on the server, so a wait is measured exactly
 * up to the last poll that saw it; the error is at most one poll interval.
 */
export class LockWaitWatcher {
  private client: pg.Client | null = null;

  constructor(private readonly databaseUrl: string, readonly pollMs = 20) {}

  async start(): Promise<void> {
    this.client = pgClient(this.databaseUrl, 'rehearse-tracer');
    await this.client.connect();
    await this.client.query("SET lock_timeout = '50ms'");
  }

  /** Start watching `pid`; the returned function stops and yields the total lock wait in ms. */
  watch(pid: number): () => Promise<{ lockWaitMs: number; grantedLocks: LockHeld[] }> {
    let stopped = false;
    let total = 0;
    let current = 0; // the wait in progress, as of the last poll
    let currentStart: string | null = null;
    const granted = new Map<string, LockHeld>();
    const loop = (async () => {
      while (!stopped) {
        const t0 = now();
        try {
          const r = await this.client!.query<{ waitstart: string | null; waited_ms: number | null; locktype: string; mode: string; relation: string | null; granted: boolean }>(
            `SELECT l.waitstart::text AS waitstart, (extract(epoch FROM clock_timestamp() - l.waitstart) * 1000)::float8 AS waited_ms,
                    l.locktype, l.mode, CASE WHEN l.relation IS NULL THEN NULL ELSE l.relation::regclass::text END AS relation, l.granted
             FROM pg_locks l WHERE l.pid = $1`,
            [pid],
          );
          const waiting = r.rows.find((row) => !row.granted && row.waitstart !== null);
          if (waiting) {
            if (currentStart !== waiting.waitstart) {
              total += current; // a previous wait ended, a new one began
              currentStart = waiting.waitstart;
            }
            current = waiting.waited_ms ?? 0;
          } else if (currentStart !== null) {
            total += current;
            current = 0;
            currentStart = null;
          }
          // Statements outside a transaction block release locks before we can ask; keep what we saw.
          // Waits count on any lock type (a row update waits on a transactionid); held locks are relation locks.
          for (const row of r.rows) if (row.granted && row.locktype === 'relation' && row.relation && !row.relation.startsWith('pg_')) granted.set(`${row.mode}|${row.relation}`, { locktype: row.locktype, mode: row.mode, relation: row.relation });
        } catch {
          // A failed poll leaves a gap; the next one catches up via waitstart.
        }
        const spent = now() - t0;
        if (spent < this.pollMs) await sleep(this.pollMs - spent);
      }
    })();
    return async () => {
      stopped = true;
      await loop;
      return { lockWaitMs: Math.round(total + current), grantedLocks: [...granted.values()] };
    };
  }

  async stop(): Promise<void> {
    await this.client?.end().catch(() => {});
  }
}
