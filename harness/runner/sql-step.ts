// A `sql` step: one or more statements, traced one by one, in a transaction (unless told
// otherwise), under an optional lock_timeout. On SQLSTATE 55P03 (lock_not_available) the whole
// attempt rolls back and is retried with exponential backoff; every attempt is recorded.
import { sleep } from '../clock.ts';
import { sqlstateOf } from '../errors.ts';
import { locksHeld, rewrittenBetween, snapshotRelfilenodes } from '../observe/statement-tracer.ts';
import type { StatementAttempt, StatementTrace } from '../model/schema.ts';
import type { SqlStep } from '../scenario.ts';
import { splitStatements } from '../sql/split-statements.ts';
import { tracedQuery } from './traced-query.ts';
import { StepFailure, type StepContext, type StepOutcome } from './step-context.ts';
import type { StepKind } from './step-kinds.ts';
import { sqlProblems } from './sql-validation.ts';

const LOCK_NOT_AVAILABLE = '55P03';
const MAX_BACKOFF_MS = 5000;

export async function runSqlStep(step: SqlStep, ctx: StepContext): Promise<StepOutcome> {
  const parsed = (await Promise.all((Array.isArray(step.sql) ? step.sql : [step.sql]).map(splitStatements))).flat();
  const statements = parsed.map((p) => p.sql);
  // CREATE INDEX CONCURRENTLY and friends cannot run in a transaction block: run the step in autocommit.
  const inTransaction = step.transaction ?? !parsed.some((p) => p.noTransaction);
  const retries = step.retries ?? (step.lockTimeoutMs ? 10 : 0);
  const traces: StatementTrace[] = statements.map((sql) => ({
    sql, startMs: 0, endMs: 0, durationMs: 0, lockWaitMs: 0, locks: [], rewrote: false, rewrittenRelations: [], attempts: [], status: 'skipped',
  }));
  const rel = (ms: number) => ms - ctx.runStartMs;

  for (let attempt = 1; ; attempt++) {
    const db = ctx.migration;
    let failedAt = -1;
    let failure: unknown;
    if (inTransaction) await db.query('BEGIN');
    if (step.lockTimeoutMs) await db.query(`SET ${inTransaction ? 'LOCAL ' : ''}lock_timeout = ${Math.round(step.lockTimeoutMs)}`);

    for (let i = 0; i < statements.length; i++) {
      const trace = traces[i]!;
      const before = await snapshotRelfilenodes(db);
      const { error, startMs: t0, endMs: t1, lockWaitMs: watched, grantedLocks } = await tracedQuery(ctx, trace.sql);
      const sqlstate = sqlstateOf(error);
      // A lock timeout means the whole attempt was spent waiting, whatever the last poll saw.
      const lockWaitMs = sqlstate === LOCK_NOT_AVAILABLE ? Math.round(t1 - t0) : watched;
      const rec: StatementAttempt = { attempt, startMs: rel(t0), durationMs: Math.round(t1 - t0), lockWaitMs };
      if (error) rec.error = { sqlstate, message: (error as Error).message };
      // Across attempts: the statement's wall time from its first try, and every ms spent in lock queues.
      if (trace.attempts.length === 0) trace.startMs = rel(t0);
      trace.attempts.push(rec);
      trace.endMs = rel(t1);
      trace.durationMs = Math.round(trace.endMs - trace.startMs);
      trace.lockWaitMs = trace.attempts.reduce((sum, a) => sum + a.lockWaitMs, 0);
      if (error) {
        trace.status = 'failed';
        trace.error = rec.error;
        failedAt = i;
        failure = error;
        break;
      }
      trace.status = 'ok';
      delete trace.error;
      if (inTransaction) {
        trace.locks = await locksHeld(db); // cumulative: locks are held until commit
        const after = await snapshotRelfilenodes(db);
        trace.rewrittenRelations = rewrittenBetween(before, after);
      } else {
        trace.locks = grantedLocks;
        trace.rewrittenRelations = rewrittenBetween(before, await snapshotRelfilenodes(db));
      }
      trace.rewrote = trace.rewrittenRelations.length > 0;
    }

    if (failedAt < 0) {
      if (inTransaction) await db.query('COMMIT');
      if (step.lockTimeoutMs && !inTransaction) await db.query('RESET lock_timeout');
      return { statements: traces };
    }

    if (inTransaction) await db.query('ROLLBACK');
    else if (step.lockTimeoutMs) await db.query('RESET lock_timeout');
    // Statements after the failure did not run in this attempt.
    for (const t of traces.slice(failedAt + 1)) t.status = 'skipped';
    const sqlstate = sqlstateOf(failure);
    if (sqlstate === LOCK_NOT_AVAILABLE && attempt <= retries && !ctx.signal.aborted) {
      const base = Math.min(MAX_BACKOFF_MS, (step.backoffMs ?? 250) * 2 ** (attempt - 1));
      const wait = base / 2 + Math.random() * (base / 2); // jitter, so retries don't align with app bursts
      ctx.log(`  lock timeout on attempt ${attempt}; retrying in ${Math.round(wait)} ms`);
      await sleep(wait);
      continue;
    }
    const msg = `statement failed${attempt > 1 ? ` after ${attempt} attempts` : ''}: ${(failure as Error).message}`;
    throw new StepFailure(msg, { statements: traces }, sqlstate, { cause: failure });
  }
}

export const sqlStep: StepKind<SqlStep> = {
  kind: 'sql',
  async validate(step) {
    const ok = typeof step.sql === 'string' ? step.sql.trim() : Array.isArray(step.sql) && step.sql.length > 0 && step.sql.every((x) => typeof x === 'string' && x.trim());
    const out = ok ? await sqlProblems(step.sql, { inTransaction: step.transaction === true }) : ['sql must be a statement or a non-empty list of statements'];
    if (step.lockTimeoutMs !== undefined && !(step.lockTimeoutMs > 0)) out.push('lockTimeoutMs must be > 0');
    if (step.retries !== undefined && !(Number.isInteger(step.retries) && step.retries >= 0)) out.push('retries must be an integer ≥ 0');
    return out;
  },
  run: runSqlStep,
};
