// A `backfill` step: keyset batches (WHERE key > last ORDER BY key LIMIT n), each its own short
// transaction so row locks are held for one batch only, with a delay between batches so the
// app's own writes get room. A batch that fails on a deadlock or lock timeout runs again from the
// last committed key. Idempotent through the step's `where` filter.
import { now, sleep } from '../clock.ts';
import { sqlstateOf } from '../errors.ts';
import { rewrittenBetween, snapshotRelfilenodes } from '../observe/statement-tracer.ts';
import type { LockHeld, StatementTrace } from '../model/schema.ts';
import type { BackfillStep } from '../scenario.ts';
import { StepFailure, type StepContext, type StepOutcome } from './step-context.ts';
import { tracedQuery, type TracedResult } from './traced-query.ts';
import type { StepKind } from './step-kinds.ts';
import { IDENTIFIER } from './sql-validation.ts';

/** Batch SQL: keys above $1 (at or above it for the first batch), in key order, at most $2 of them. */
export function batchSql(step: BackfillStep, first = false): string {
  const key = step.key ?? 'id';
  const t = step.table;
  const filter = step.where ? ` AND (${step.where})` : '';
  return `WITH batch AS (SELECT ${key} AS rehearse_key FROM ${t} WHERE ${key} ${first ? '>=' : '>'} $1 ORDER BY ${key} LIMIT $2),
upd AS (UPDATE ${t} SET ${step.set} FROM batch WHERE ${t}.${key} = batch.rehearse_key${filter} RETURNING 1)
SELECT (SELECT max(rehearse_key) FROM batch)::text AS last, (SELECT count(*) FROM batch)::int AS scanned, (SELECT count(*) FROM upd)::int AS updated`;
}

interface BatchRow {
  last: string | null;
  scanned: number;
  updated: number;
}

// A batch that lost a deadlock, a serialization check or a lock_timeout rolled back on its own: run
// it again from the last committed key. Classified by SQLSTATE only.
const RETRYABLE = new Set(['40P01', '40001', '55P03']);
const MAX_BATCH_RETRIES = 5;
const retryDelayMs = (retry: number): number => Math.min(2000, 100 * 2 ** (retry - 1));

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
  const sql = batchSql(step);
  // Keys stay text end to end: a bigint above 2^53 has no exact JS number, and keys need not be numbers.
  const bounds = (await ctx.migration.query<{ lo: string | null; hi: string | null }>(`SELECT min(${key})::text AS lo, max(${key})::text AS hi FROM ${step.table}`)).rows[0]!;
  const before = await snapshotRelfilenodes(ctx.migration);

  let last: string | null = null; // the last committed key; null before the first batch
  let batches = 0, scanned = 0, updated = 0, lockWaitMs = 0, maxBatchMs = 0, busyMs = 0, retriedBatches = 0;
  const locks = new Map<string, LockHeld>();
  const t0 = now();
  let lastLog = t0;
  const details = () => ({
    batchSize, delayMs, batches, rowsScanned: scanned, rowsUpdated: updated,
    rowsPerSec: Math.round(scanned / Math.max(0.001, (now() - t0) / 1000)),
    maxBatchMs: Math.round(maxBatchMs), meanBatchMs: batches ? Math.round(busyMs / batches) : 0,
    keyRange: bounds.lo === null ? null : [bounds.lo, bounds.hi], retriedBatches,
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

  for (let retry = 0; bounds.lo !== null && !ctx.signal.aborted; ) {
    const first: boolean = last === null;
    const params: unknown[] = [first ? bounds.lo : last, batchSize];
    const run: TracedResult<BatchRow> = await tracedQuery<BatchRow>(ctx, first ? batchSql(step, true) : sql, params, `backfill ${step.table} batch`);
    const ms = run.endMs - run.startMs;
    lockWaitMs += run.lockWaitMs;
    for (const l of run.grantedLocks) locks.set(`${l.mode}|${l.relation}`, l);
    if (run.error) {
      const error = { sqlstate: sqlstateOf(run.error), message: (run.error as Error).message };
      const where = first ? `from ${key} ${bounds.lo}` : `after ${key} ${last}`;
      if (error.sqlstate && RETRYABLE.has(error.sqlstate) && retry < MAX_BATCH_RETRIES && !ctx.signal.aborted) {
        retry++;
        retriedBatches++;
        const wait = retryDelayMs(retry);
        ctx.log(`  backfill batch ${where} failed (${error.sqlstate}); retrying in ${wait} ms`);
        await sleep(wait);
        continue;
      }
      const committed = last === null ? 'no batch committed' : `rows up to ${key} ${last} are committed`;
      throw new StepFailure(`backfill batch ${where} failed: ${error.message} (${committed})`, { statements: [trace('failed', error)], details: details() }, error.sqlstate, { cause: run.error });
    }
    retry = 0;
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
  return { statements: [t], details: details() };
}

export const backfillStep: StepKind<BackfillStep> = {
  kind: 'backfill',
  sqlOf: (step) => [batchSql(step)],
  validate(step) {
    const out: string[] = [];
    if (!IDENTIFIER.test(step.table ?? '')) out.push('table must be an identifier');
    if (step.key !== undefined && !IDENTIFIER.test(step.key)) out.push('key must be an identifier');
    if (!step.set) out.push('set (the SET clause) is required');
    if (step.batchSize !== undefined && !(Number.isInteger(step.batchSize) && step.batchSize > 0)) out.push('batchSize must be a positive integer');
    if (step.delayMs !== undefined && !(step.delayMs >= 0)) out.push('delayMs must be ≥ 0');
    return out;
  },
  run: runBackfillStep,
};
