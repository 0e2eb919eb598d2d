// Runs one query on the migration session while the step clock marks it as the running
// statement and the lock-wait watcher measures its time in lock queues.
import type pg from 'pg';
import { now } from '../clock.ts';
import type { LockHeld } from '../model/schema.ts';
import type { StepContext } from './step-context.ts';

export interface TracedResult<R extends pg.QueryResultRow> {
  result?: pg.QueryResult<R>;
  error?: unknown;
  startMs: number; // monotonic
  endMs: number;
  lockWaitMs: number;
  /** Relation locks seen granted while it ran (for statements outside a transaction). */
  grantedLocks: LockHeld[];
}

export async function tracedQuery<R extends pg.QueryResultRow = Record<string, unknown>>(
  ctx: StepContext,
  sql: string,
  params?: unknown[],
  label = sql,
): Promise<TracedResult<R>> {
  ctx.clock.beginStatement(label);
  const stopWatch = ctx.watcher.watch(ctx.migrationPid);
  const startMs = now();
  let result: pg.QueryResult<R> | undefined;
  let error: unknown;
  try {
    result = await ctx.migration.query<R>(sql, params);
  } catch (err) {
    error = err;
  }
  const endMs = now();
  ctx.clock.endStatement();
  const watched = await stopWatch();
  return { result, error, startMs, endMs, lockWaitMs: Math.min(watched.lockWaitMs, Math.round(endMs - startMs)), grantedLocks: watched.grantedLocks };
}
