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
import { IDENTIFIER } from './sql-validation.ts';

export function batchSql(step: BackfillStep): string {
  const key = step.key ?? 'id';
  const t = step.table;
  const filter = step.where ? ` AND (${step.where})` : '';
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

  let last = lo - 1;
  let batches = 0, scanned = 0, updated = 0, lockWaitMs = 0, maxBatchMs = 0, busyMs = 0;
  const locks = new Map<string, LockHeld>();
  const t0 = now();
  let lastLog = t0;
  const details = () => ({
    batchSize, delayMs, batches, rowsScanned: scanned, rowsUpdated: updated,
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
