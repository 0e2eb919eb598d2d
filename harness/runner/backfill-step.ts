// A `backfill` step: keyset batches (WHERE key > last ORDER BY key LIMIT n), each its own short
// transaction so row locks are held for one batch only, with a delay between batches so the
// app's own writes get room. Idempotent through the step's `where` filter. A batch that fails
// for a passing reason (statement_timeout, a terminated session, a deadlock, a lock timeout) is
// rolled back by Postgres, so the backfill resumes from the last committed key, with backoff,
// on a new session if the old one is gone; every retry is listed in the step's details.
import { now, sleep } from '../clock.ts';
import { sqlstateOf } from '../errors.ts';
import { rewrittenBetween, snapshotRelfilenodes } from '../observe/statement-tracer.ts';
import type { LockHeld, StatementAttempt, StatementTrace } from '../model/schema.ts';
import type { BackfillStep } from '../scenario.ts';
import { StepFailure, type StepContext, type StepOutcome } from './step-context.ts';
import { tracedQuery, type TracedResult } from './traced-query.ts';
import type { StepKind } from './step-kinds.ts';
import { IDENTIFIER, rollbackProblems } from './sql-validation.ts';

/** Batch SQL: keys above $1 (at or above it for the first batch), in key order, at most $2 of them. */
export function batchSql(step: BackfillStep, first = false): string {
  const key = step.key ?? 'id';
  const t = step.table;
  const filter = step.where ? ` AND (${step.where})` : '';
  if (step.into) {
    // Copy mode: the batch's rows go into another table; rows already there are left alone.
    const cols = step.into.columns?.length ? ` (${step.into.columns.join(', ')})` : '';
    return `WITH batch AS (SELECT ${key} AS rehearse_key FROM ${t} WHERE ${key} ${first ? '>=' : '>'} $1 ORDER BY ${key} LIMIT $2),
ins AS (INSERT INTO ${step.into.table}${cols} SELECT ${step.into.select ?? `${t}.*`} FROM ${t} JOIN batch ON ${t}.${key} = batch.rehearse_key${filter ? ` WHERE ${filter.slice(5)}` : ''} ON CONFLICT DO NOTHING RETURNING 1)
SELECT (SELECT max(rehearse_key) FROM batch)::text AS last, (SELECT count(*) FROM batch)::int AS scanned, (SELECT count(*) FROM ins)::int AS updated`;
  }
  return `WITH batch AS (SELECT ${key} AS rehearse_key FROM ${t} WHERE ${key} ${first ? '>=' : '>'} $1 ORDER BY ${key} LIMIT $2),
upd AS (UPDATE ${t} SET ${step.set} FROM batch WHERE ${t}.${key} = batch.rehearse_key${filter} RETURNING 1)
SELECT (SELECT max(rehearse_key) FROM batch)::text AS last, (SELECT count(*) FROM batch)::int AS scanned, (SELECT count(*) FROM upd)::int AS updated`;
}

interface BatchRow {
  last: string | null;
  scanned: number;
  updated: number;
}

const MAX_BACKOFF_MS = 5000;

/** SQLSTATEs after which the same batch can simply be tried again. */
const RETRYABLE = new Set(['57014', '57P01', '57P02', '57P03', '40001', '40P01', '55P03']);
/** After these (or a broken connection with no SQLSTATE) the session is gone: open a new one. */
const needsNewSession = (sqlstate: string | undefined): boolean => sqlstate === undefined || sqlstate.startsWith('08') || sqlstate.startsWith('57P');
const isRetryable = (sqlstate: string | undefined, err: unknown): boolean =>
  sqlstate !== undefined ? RETRYABLE.has(sqlstate) || sqlstate.startsWith('08') : /connection|terminated|not queryable/i.test((err as Error)?.message ?? '');

export interface BackfillRetry {
  atMs: number; // run-relative
  /** The batch that failed started after this key (the last committed one; null before the first); the retry starts there again. */
  afterKey: string | null;
  sqlstate?: string;
  message: string;
  backoffMs: number;
  newSession: boolean;
}

/** Keys done of an integer key range (for progress only), or null for keys that are not integers (text, uuid…). */
function keySpan(lo: string, hi: string, last: string): { done: number; total: number } | null {
  try {
    const [l, h, x] = [BigInt(lo), BigInt(hi), BigInt(last)];
    return { done: Number(x - l + 1n), total: Number(h - l + 1n) };
  } catch {
    return null;
  }
}

export async function runBackfillStep(step: BackfillStep, ctx: StepContext): Promise<StepOutcome> {
  const key = step.key ?? 'id';
  const batchSize = step.batchSize ?? 5000;
  const delayMs = step.delayMs ?? 20;
  const maxRetries = step.retries ?? 5;
  const retries: BackfillRetry[] = [];
  const attempts: StatementAttempt[] = [];
  const sql = batchSql(step);
  // Keys stay text end to end: a bigint above 2^53 has no exact JS number, and keys need not be numbers.
  const bounds = (await ctx.migration.query<{ lo: string | null; hi: string | null }>(`SELECT min(${key})::text AS lo, max(${key})::text AS hi FROM ${step.table}`)).rows[0]!;
  const before = await snapshotRelfilenodes(ctx.migration);
  const walBefore = await walCounters(ctx, step);

  let last: string | null = null; // the last committed key; null before the first batch
  let batches = 0, scanned = 0, updated = 0, lockWaitMs = 0, maxBatchMs = 0, busyMs = 0;
  const locks = new Map<string, LockHeld>();
  const t0 = now();
  let lastLog = t0;
  const details = () => ({
    batchSize, delayMs, batches, rowsScanned: scanned, ...(step.into ? { rowsInserted: updated, into: step.into.table } : { rowsUpdated: updated }),
    rowsPerSec: Math.round(scanned / Math.max(0.001, (now() - t0) / 1000)),
    maxBatchMs: Math.round(maxBatchMs), meanBatchMs: batches ? Math.round(busyMs / batches) : 0,
    keyRange: bounds.lo === null ? null : [bounds.lo, bounds.hi],
    retried: retries.length, ...(retries.length ? { retries } : {}),
  });
  const trace = (status: 'ok' | 'failed', error?: StatementTrace['error']): StatementTrace => {
    const startMs = Math.round(t0 - ctx.runStartMs);
    const durationMs = Math.round(now() - t0);
    // One attempt per failed batch (with its error), then the run that went on from there.
    const prev = attempts.at(-1);
    const fromMs = prev ? prev.startMs + prev.durationMs : startMs;
    return {
      sql, startMs, endMs: startMs + durationMs, durationMs, lockWaitMs: Math.round(lockWaitMs), locks: [...locks.values()],
      rewrote: false, rewrittenRelations: [], status, ...(error ? { error } : {}),
      attempts: [...attempts, { attempt: attempts.length + 1, startMs: fromMs, durationMs: Math.round(now() - ctx.runStartMs) - fromMs, lockWaitMs: Math.round(lockWaitMs), ...(error ? { error } : {}) }],
    };
  };

  while (bounds.lo !== null && !ctx.signal.aborted) {
    const first: boolean = last === null;
    const params: unknown[] = [first ? bounds.lo : last, batchSize];
    const run: TracedResult<BatchRow> = await tracedQuery<BatchRow>(ctx, first ? batchSql(step, true) : sql, params, `backfill ${step.table} batch`);
    const ms = run.endMs - run.startMs;
    lockWaitMs += run.lockWaitMs;
    for (const l of run.grantedLocks) locks.set(`${l.mode}|${l.relation}`, l);
    if (run.error) {
      const error = { sqlstate: sqlstateOf(run.error), message: (run.error as Error).message };
      const where = first ? `from ${key} ${bounds.lo}` : `after ${key} ${last}`;
      if (!ctx.signal.aborted && retries.length < maxRetries && isRetryable(error.sqlstate, run.error)) {
        const base = Math.min(MAX_BACKOFF_MS, (step.backoffMs ?? 250) * 2 ** retries.length);
        const backoffMs = Math.round(base / 2 + Math.random() * (base / 2));
        const newSession = needsNewSession(error.sqlstate);
        const atMs = Math.round(run.startMs - ctx.runStartMs);
        retries.push({ atMs, afterKey: last, sqlstate: error.sqlstate, message: error.message, backoffMs, newSession });
        attempts.push({ attempt: attempts.length + 1, startMs: atMs, durationMs: Math.round(run.endMs - run.startMs), lockWaitMs: run.lockWaitMs, error });
        ctx.log(`  backfill batch ${where} failed (${error.sqlstate ?? 'connection'}: ${error.message}); retry ${retries.length}/${maxRetries} in ${backoffMs} ms${newSession ? ' on a new session' : ''}`);
        await sleep(backoffMs);
        if (newSession) await ctx.reconnectMigration();
        continue;
      }
      const why = retries.length >= maxRetries && isRetryable(error.sqlstate, run.error) ? ` after ${retries.length} retries` : '';
      const committed = last === null ? 'no batch committed' : `rows up to ${key} ${last} are committed`;
      throw new StepFailure(`backfill batch ${where} failed${why}: ${error.message} (${committed})`, { statements: [trace('failed', error)], details: details() }, error.sqlstate, { cause: run.error });
    }
    const row: BatchRow = run.result!.rows[0]!;
    if (row.scanned === 0) break;
    batches++;
    scanned += row.scanned;
    updated += row.updated;
    busyMs += ms;
    maxBatchMs = Math.max(maxBatchMs, ms);
    last = row.last;
    const span = keySpan(bounds.lo, bounds.hi!, last!);
    if (span) ctx.progress?.({ kind: 'backfill', step: step.name, done: span.done, total: span.total, rows: scanned, rowsPerSec: details().rowsPerSec });
    if (now() - lastLog > 2000) {
      lastLog = now();
      const pct = span ? Math.min(100, (span.done / span.total) * 100) : null;
      ctx.log(`  backfill ${pct === null ? `at ${key} ${last}` : `${pct.toFixed(0)}%`} (${scanned.toLocaleString('en-US')} rows, ${details().rowsPerSec.toLocaleString('en-US')} rows/s)`);
    }
    if (delayMs > 0) await sleep(delayMs);
  }
  const t = trace('ok');
  t.rewrittenRelations = rewrittenBetween(before, await snapshotRelfilenodes(ctx.migration));
  t.rewrote = t.rewrittenRelations.length > 0;
  const walAfter = await walCounters(ctx, step);
  return { statements: [t], details: { ...details(), ...walDifference(walBefore, walAfter) } };
}

interface WalCounters { lsn: string | null; own: { bytes: number; records: number; fpi: number } | null }

// pg_stat_statements stores the batch statements (the first batch's and the rest) with their
// constants replaced, so they are found by their first lines (identifiers and $n only) in this
// variant's database.
const STATEMENT_WAL_SQL = `
SELECT coalesce(sum(wal_bytes), 0)::int8 AS bytes, coalesce(sum(wal_records), 0)::int8 AS records, coalesce(sum(wal_fpi), 0)::int8 AS fpi
FROM pg_stat_statements WHERE (starts_with(query, $1) OR starts_with(query, $2)) AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/** The WAL position, and the WAL the batch statement has written so far (null when not measurable). */
async function walCounters(ctx: StepContext, step: BackfillStep): Promise<WalCounters> {
  const lsn = (await ctx.migration.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn').catch(() => null))?.rows[0]?.lsn ?? null;
  const r = (await ctx.migration.query<{ bytes: string; records: string; fpi: string }>(STATEMENT_WAL_SQL, [batchSql(step, true).split('\n')[0], batchSql(step).split('\n')[0]]).catch(() => null))?.rows[0];
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
    if (step.retries !== undefined && !(Number.isInteger(step.retries) && step.retries >= 0)) out.push('retries must be an integer ≥ 0');
    if (step.backoffMs !== undefined && !(typeof step.backoffMs === 'number' && step.backoffMs >= 0)) out.push('backoffMs must be a number ≥ 0');
    out.push(...(await rollbackProblems(step.rollback)));
    return out;
  },
  run: runBackfillStep,
};
