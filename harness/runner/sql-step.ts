// A `sql` step: statements traced one by one (duration, lock wait, locks held, rewrite), run in
// the transactions that runner/sql-plan.ts decides, under an optional lock_timeout. On SQLSTATE
// 55P03 (lock_not_available) the transaction that failed rolls back and is retried with
// exponential backoff and jitter; committed transactions are never re-run; every attempt is recorded.
import { now, sleep } from '../clock.ts';
import { sqlstateOf } from '../errors.ts';
import type { StatementAttempt, StatementTrace } from '../model/schema.ts';
import { createdBetween, invalidIndexes, locksHeld, nameLocks, rewrittenBetween, scannedBetween, snapshotRelfilenodes, type Relfilenodes } from '../observe/statement-tracer.ts';
import type { SqlStep } from '../scenario.ts';
import { splitStatements } from '../sql/split-statements.ts';
import { planSegments, type PlannedStatement, type Segment } from './sql-plan.ts';
import { rollbackProblems, sqlProblems } from './sql-validation.ts';
import { StepFailure, type StepContext, type StepOutcome } from './step-context.ts';
import type { StepKind } from './step-kinds.ts';
import { tracedQuery } from './traced-query.ts';

const LOCK_NOT_AVAILABLE = '55P03';
const MAX_BACKOFF_MS = 5000;

/** The step's statements with their file:line when it has a source. */
export async function stepStatements(step: SqlStep) {
  const texts = step.sql === undefined ? [] : Array.isArray(step.sql) ? step.sql : [step.sql];
  const out = [];
  for (const text of texts) {
    for (const st of await splitStatements(text)) {
      out.push(step.source ? { ...st, source: { file: step.source.file, line: step.source.line + st.line - 1 } } : st);
    }
  }
  return out;
}

export async function runSqlStep(step: SqlStep, ctx: StepContext): Promise<StepOutcome> {
  const plan = planSegments(await stepStatements(step), { transaction: step.transaction });
  const retries = step.retries ?? (step.lockTimeoutMs ? 10 : 0);
  const traces = new Map<PlannedStatement, StatementTrace>();
  for (const seg of plan.segments) {
    for (const st of seg.statements) {
      traces.set(st, {
        sql: st.sql, ...(st.source ? { source: st.source } : {}),
        startMs: 0, endMs: 0, durationMs: 0, lockWaitMs: 0, locks: [], rewrote: false, rewrittenRelations: [], attempts: [], status: 'skipped',
      });
    }
  }
  const all = () => [...traces.values()];
  let tracerMs = 0;
  let invalid: string[] = [];
  const details = () => ({ ...(plan.notes.length ? { notes: plan.notes } : {}), tracerMsInTransactions: Math.round(tracerMs), ...(invalid.length ? { invalidIndexes: invalid } : {}) });
  let txNumber = 0;
  for (const seg of plan.segments) {
    if (seg.transactional) txNumber++;
    const failure = await runSegment(seg, seg.transactional ? txNumber : undefined);
    // A failed CONCURRENTLY build leaves an INVALID index behind that the app pays for on every
    // write and that blocks a retry under the same name: find it and say so.
    if (failure && !seg.transactional && /\bCONCURRENTLY\b/i.test(seg.statements[0]?.sql ?? '')) {
      invalid = await invalidIndexes(ctx.migration).catch(() => []);
      if (invalid.length) failure.message += `; it left INVALID index ${invalid.join(', ')} behind: drop it (DROP INDEX CONCURRENTLY) before building again`;
    }
    if (failure) throw new StepFailure(failure.message, { statements: all(), details: details() }, failure.sqlstate, { cause: failure.cause });
  }
  return { statements: all(), details: details() };

  /** Runs one segment until it commits or fails for good; returns the failure, if any. */
  async function runSegment(seg: Segment, tx: number | undefined): Promise<{ message: string; sqlstate?: string; cause: unknown } | null> {
    const rel = (ms: number) => ms - ctx.runStartMs;
    const db = ctx.migration;
    for (let attempt = 1; ; attempt++) {
      let failedAt = -1;
      let failure: unknown;
      if (seg.transactional) await db.query(seg.begin?.sql ?? 'BEGIN');
      if (step.lockTimeoutMs) await db.query(`SET ${seg.transactional ? 'LOCAL ' : ''}lock_timeout = ${Math.round(step.lockTimeoutMs)}`);
      let segmentStart: Relfilenodes | null = null;
      for (let i = 0; i < seg.statements.length; i++) {
        // Stopped (Ctrl-C or an abortOnFail budget) between statements: run no further one.
        if (ctx.signal.aborted) {
          failedAt = i;
          failure = new Error('stopped before this statement ran');
          break;
        }
        const trace = traces.get(seg.statements[i]!)!;
        if (tx !== undefined) trace.transaction = tx;
        const before = await snapshotRelfilenodes(db);
        segmentStart ??= before;
        const { error, startMs: t0, endMs: t1, lockWaitMs: watched, grantedLocks } = await tracedQuery(ctx, trace.sql);
        const sqlstate = sqlstateOf(error);
        // The server cancels a lock wait after exactly lock_timeout, so a 55P03 attempt waited at least
        // that long, even if the last poll came just before the cancel. Never the attempt's wall time:
        // that also holds round trips and our own event-loop lag.
        const lockWaitMs = sqlstate === LOCK_NOT_AVAILABLE && step.lockTimeoutMs ? Math.max(watched, Math.round(step.lockTimeoutMs)) : watched;
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
        // In a transaction, locks are held until it ends, so the list is cumulative; in autocommit
        // they are released before we could ask, so the watcher's view while it ran is what we have.
        const tracing = now();
        const held = seg.transactional ? await locksHeld(db) : grantedLocks;
        const after = await snapshotRelfilenodes(db);
        trace.locks = nameLocks(held, after);
        trace.rewrittenRelations = rewrittenBetween(before, after);
        trace.createdRelations = createdBetween(segmentStart, after);
        if (seg.transactional) trace.scannedRows = scannedBetween(before, after);
        // Inside a transaction these reads happen while its locks are held: they lengthen the hold.
        if (seg.transactional) tracerMs += now() - tracing;
        trace.rewrote = trace.rewrittenRelations.length > 0;
        trace.heldUntilMs = trace.endMs;
      }

      if (failedAt < 0) {
        if (seg.transactional) await db.query(seg.end === 'rollback' ? 'ROLLBACK' : 'COMMIT');
        else if (step.lockTimeoutMs) await db.query('RESET lock_timeout');
        const released = Math.round(rel(now()));
        for (const st of seg.statements) traces.get(st)!.heldUntilMs = seg.transactional ? released : traces.get(st)!.endMs;
        return null;
      }

      if (seg.transactional) await db.query('ROLLBACK');
      else if (step.lockTimeoutMs) await db.query('RESET lock_timeout');
      const releasedAt = Math.round(rel(now()));
      for (const [j, st] of seg.statements.entries()) {
        const t = traces.get(st)!;
        if (j < failedAt) t.heldUntilMs = releasedAt;
        // Statements after the failure did not run in this attempt.
        if (j > failedAt) t.status = 'skipped';
      }
      const sqlstate = sqlstateOf(failure);
      if (sqlstate === LOCK_NOT_AVAILABLE && attempt <= retries && !ctx.signal.aborted) {
        const base = Math.min(MAX_BACKOFF_MS, (step.backoffMs ?? 250) * 2 ** (attempt - 1));
        const wait = base / 2 + Math.random() * (base / 2); // jitter, so retries don't align with app bursts
        ctx.log(`  lock timeout on attempt ${attempt}; retrying in ${Math.round(wait)} ms`);
        await sleep(wait);
        continue;
      }
      const where = seg.statements[failedAt]?.source;
      const msg = `statement ${where ? `at ${where.file}:${where.line} ` : ''}failed${attempt > 1 ? ` after ${attempt} attempts` : ''}: ${(failure as Error).message}`;
      return { message: msg, sqlstate, cause: failure };
    }
  }
}

/** With `expectError`, the failure the step exists to show is its result; success is then the failure. */
async function runExpectingError(step: SqlStep, ctx: StepContext): Promise<StepOutcome> {
  if (!step.expectError) return runSqlStep(step, ctx);
  let outcome: StepOutcome;
  try {
    outcome = await runSqlStep(step, ctx);
  } catch (err) {
    if (err instanceof StepFailure && err.sqlstate === step.expectError && !ctx.signal.aborted) {
      ctx.log(`  failed as expected (SQLSTATE ${err.sqlstate})`);
      return { statements: err.outcome.statements, details: { ...err.outcome.details, expectedError: { sqlstate: err.sqlstate, message: err.message } } };
    }
    throw err;
  }
  throw new StepFailure(`expected this step to fail with SQLSTATE ${step.expectError}, but it succeeded: the rehearsal did not reproduce the failure it exists to show`, outcome);
}

export const sqlStep: StepKind<SqlStep> = {
  kind: 'sql',
  // The planner reads file steps into `sql` (plan/sql-files.ts) before the run.
  sqlOf: (step) => (step.sql === undefined ? [] : Array.isArray(step.sql) ? step.sql : [step.sql]),
  async validate(step) {
    if (step.file !== undefined && step.sql === undefined) return []; // the planner reads and checks the file
    const ok = typeof step.sql === 'string' ? step.sql.trim() : Array.isArray(step.sql) && step.sql.length > 0 && step.sql.every((x) => typeof x === 'string' && x.trim());
    if (!ok) return [step.file !== undefined ? 'give sql or file, not both' : 'sql (or file) must be a statement, a non-empty list of statements, or a .sql file'];
    const out = await sqlProblems(step.sql!, { source: step.source });
    if (out.length === 0) out.push(...planSegments(await stepStatements(step), { transaction: step.transaction }).problems);
    if (step.lockTimeoutMs !== undefined && !(step.lockTimeoutMs > 0)) out.push('lockTimeoutMs must be > 0');
    if (step.retries !== undefined && !(Number.isInteger(step.retries) && step.retries >= 0)) out.push('retries must be an integer ≥ 0');
    if (step.expectError !== undefined && !/^[0-9A-Z]{5}$/.test(step.expectError)) out.push('expectError must be a SQLSTATE (5 characters of 0-9/A-Z, e.g. 23502)');
    out.push(...(await rollbackProblems(step.rollback)));
    return out;
  },
  run: runExpectingError,
};
