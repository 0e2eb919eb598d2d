// A `backfill` step: keyset batches (WHERE key > last ORDER BY key LIMIT n), each its own short
// transaction so row locks are held for one batch only, with a delay between batches so the
// app's own writes get room. Idempotent through the step's `where` filter.
import { now, sleep } from '../clock.ts';
import { sqlstateOf } from '../errors.ts';
import { rewrittenBetween, snapshotRelfilenodes } from '../observe/statement-tracer.ts';
import type { LockHeld, StatementTrace } from '../model/schema.ts';
import type { BackfillStep } from '../scenario.ts';
import { StepFailure, type StepContext, type StepOutcome } from './step-context.ts';
import { tracedQuery } from './traced-query.ts';
import type { StepKind } from './step-kinds.ts';
import { IDENTIFIER, rollbackProblems } from './sql-validation.ts';

export function batchSql(step: BackfillStep): string {
  const key = step.key ?? 'id';
  const t = step.table;
  const filter = step.where ? ` AND (${step.where})` : '';
  if (step.into) {
    // Copy mode: the batch's rows go into another table; rows already there are left alone.
    const cols = step.into.columns?.length ? ` (${step.into.columns.join(', ')})` : '';
    return `WITH batch AS (SELECT ${key} AS rehearse_key FROM ${t} WHERE ${key} > $1 ORDER BY ${key} LIMIT $2),
ins AS (INSERT INTO ${step.into.table}${cols} SELECT ${step.into.select ?? `${t}.*`} FROM ${t} JOIN batch ON ${t}.${key} = batch.rehearse_key${filter ? ` WHERE ${filter.slice(5)}` : ''} ON CONFLICT DO NOTHING RETURNING 1)
SELECT (SELECT max(rehearse_key) FROM batch)::text AS last, (SELECT count(*) FROM batch)::int AS scanned, (SELECT count(*) FROM ins)::int AS updated`;
  }
  return `WITH batch AS (SELECT ${key} AS rehearse_key FROM ${t} WHERE ${key} > $1 ORDER BY ${key} LIMIT $2),
upd AS (UPDATE ${t} SET ${step.set} FROM batch WHERE ${t}.${key} = batch.rehearse_key${filter} RETURNING 1)
SELECT (SELECT max(rehearse_key) FROM batch)::text AS last, (SELECT count(*) FROM batch)::int AS scanned, (SELECT count(*) FROM upd)::int AS updated`;
}

export async function runBackfillStep(step: BackfillStep, ctx: StepContext): Promise<StepOutcome> {
  const key = step.key ?? 'id';
  const batchSize = step.batchSize ?? 5000;
  const delayMs = step.delayMs ?? 20;
  const sql = batchSql(step);
  const bounds = (await ctx.migration.query<{ lo: string | null; hi: string | null }>(`SELECT min(${key})::text AS lo, max(${key})::text AS hi FROM ${step.table}`)).rows[0]!;
  const lo = Number(bounds.lo ?? 0);
  const hi = Number(bounds.hi ?? 0);
  const before = await snapshotRelfilenodes(ctx.migration);
  const walBefore = await walCounters(ctx, sql);

  let last = lo - 1;
  let batches = 0, scanned = 0, updated = 0, lockWaitMs = 0, maxBatchMs = 0, busyMs = 0;
  const locks = new Map<string, LockHeld>();
  const t0 = now();
  let lastLog = t0;
  const details = () => ({
    batchSize, delayMs, batches, rowsScanned: scanned, ...(step.into ? { rowsInserted: updated, into: step.into.table } : { rowsUpdated: updated }),
    rowsPerSec: Math.round(scanned / Math.max(0.001, (now() - t0) / 1000)),
    maxBatchMs: Math.round(maxBatchMs), meanBatchMs: batches ? Math.round(busyMs / batches) : 0, keyRange: [lo, hi],
  });
  const trace = (status: 'ok' | 'failed', error?: StatementTrace['error']): StatementTrace => {
    const startMs = Math.round(t0 - ctx.runStartMs);
    const durationMs = Math.round(now() - t0);
    return {
      sql, startMs, endMs: startMs + durationMs, durationMs, lockWaitMs: Math.round(lockWaitMs), locks: [...locks.values()],
      rewrote: false, rewrittenRelations: [], status, ...(error ? { error } : {}),
      attempts: [{ attempt: 1, startMs, durationMs, lockWaitMs: Math.round(lockWaitMs), ...(error ? { error } : {}) }],
    };
  };

  while (!ctx.signal.aborted) {
    const run = await tracedQuery<{ last: string | null; scanned: number; updated: number }>(ctx, sql, [String(last), batchSize], `backfill ${step.table} batch`);
    const ms = run.endMs - run.startMs;
    lockWaitMs += run.lockWaitMs;
    for (const l of run.grantedLocks) locks.set(`${l.mode}|${l.relation}`, l);
    if (run.error) {
      const error = { sqlstate: sqlstateOf(run.error), message: (run.error as Error).message };
      throw new StepFailure(`backfill batch after ${key} ${last} failed: ${error.message}`, { statements: [trace('failed', error)], details: details() }, error.sqlstate, { cause: run.error });
    }
    const row = run.result!.rows[0]!;
    if (row.scanned === 0) break;
    batches++;
    scanned += row.scanned;
    updated += row.updated;
    busyMs += ms;
    maxBatchMs = Math.max(maxBatchMs, ms);
    last = Number(row.last);
    ctx.progress?.({ kind: 'backfill', step: step.name, done: Math.max(0, last - lo + 1), total: Math.max(1, hi - lo + 1), rows: scanned, rowsPerSec: details().rowsPerSec });
    if (now() - lastLog > 2000) {
      lastLog = now();
      const pct = hi > lo ? Math.min(100, ((last - lo) / (hi - lo)) * 100) : 100;
      ctx.log(`  backfill ${pct.toFixed(0)}% (${scanned.toLocaleString('en-US')} rows, ${details().rowsPerSec.toLocaleString('en-US')} rows/s)`);
    }
    if (delayMs > 0) await sleep(delayMs);
  }
  const t = trace('ok');
  t.rewrittenRelations = rewrittenBetween(before, await snapshotRelfilenodes(ctx.migration));
  t.rewrote = t.rewrittenRelations.length > 0;
  const walAfter = await walCounters(ctx, sql);
  return { statements: [t], details: { ...details(), ...walDifference(walBefore, walAfter) } };
}

interface WalCounters { lsn: string | null; own: { bytes: number; records: number; fpi: number } | null }

// pg_stat_statements stores the batch statement with its constants replaced, so it is found by
// its first line (identifiers and $n only) in this variant's database.
const STATEMENT_WAL_SQL = `
SELECT coalesce(sum(wal_bytes), 0)::int8 AS bytes, coalesce(sum(wal_records), 0)::int8 AS records, coalesce(sum(wal_fpi), 0)::int8 AS fpi
FROM pg_stat_statements WHERE starts_with(query, $1) AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/** The WAL position, and the WAL the batch statement has written so far (null when not measurable). */
async function walCounters(ctx: StepContext, sql: string): Promise<WalCounters> {
  const lsn = (await ctx.migration.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn').catch(() => null))?.rows[0]?.lsn ?? null;
  const r = (await ctx.migration.query<{ bytes: string; records: string; fpi: string }>(STATEMENT_WAL_SQL, [sql.split('\n')[0]]).catch(() => null))?.rows[0];
  return { lsn, own: r ? { bytes: Number(r.bytes), records: Number(r.records), fpi: Number(r.fpi) } : null };
}

/**
 * The backfill's own WAL (its batch statement in pg_stat_statements: bytes, records, full-page
 * images), and all the WAL the cluster wrote while it ran (LSN difference; includes the app's writes).
 */
function walDifference(before: WalCounters, after: WalCounters): Record<string, number> {
  const out: Record<string, number> = {};
  if (before.own && after.own) Object.assign(out, { walBytes: after.own.bytes - before.own.bytes, walRecords: after.own.records - before.own.records, walFullPageImages: after.own.fpi - before.own.fpi });
  if (before.lsn && after.lsn) out.clusterWalBytes = lsnBytes(after.lsn) - lsnBytes(before.lsn);
  return out;
}

/** "16/B374D848" → bytes (exact below 2^53, i.e. 8 PiB of WAL). */
const lsnBytes = (lsn: string): number => {
  const [hi, lo] = lsn.split('/');
  return parseInt(hi!, 16) * 2 ** 32 + parseInt(lo!, 16);
};

export const backfillStep: StepKind<BackfillStep> = {
  kind: 'backfill',
  sqlOf: (step) => [batchSql(step)],
  async validate(step) {
    const out: string[] = [];
    if (!IDENTIFIER.test(step.table ?? '')) out.push('table must be an identifier');
    if (step.key !== undefined && !IDENTIFIER.test(step.key)) out.push('key must be an identifier');
    if (!step.set && !step.into) out.push('set (the SET clause) is required, or into (a table to copy the rows to)');
    if (step.set && step.into) out.push('give set (update in place) or into (copy to another table), not both');
    if (step.into && !IDENTIFIER.test(step.into.table ?? '')) out.push('into.table must be a table name');
    if (step.batchSize !== undefined && !(Number.isInteger(step.batchSize) && step.batchSize > 0)) out.push('batchSize must be a positive integer');
    if (step.delayMs !== undefined && !(step.delayMs >= 0)) out.push('delayMs must be ≥ 0');
    out.push(...(await rollbackProblems(step.rollback)));
    return out;
  },
  run: runBackfillStep,
};
