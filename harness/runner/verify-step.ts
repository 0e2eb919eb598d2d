// A `verify` step: an invariant query that must find nothing wrong (zero rows, or an explicit
// count of 0: see verify-count.ts); otherwise the step fails with the number found.
import { sqlstateOf } from '../errors.ts';
import type { StatementTrace } from '../model/schema.ts';
import type { VerifyStep } from '../scenario.ts';
import { StepFailure, type StepContext, type StepOutcome } from './step-context.ts';
import { tracedQuery, type TracedResult } from './traced-query.ts';
import type { StepKind } from './step-kinds.ts';
import { sqlProblems } from './sql-validation.ts';
import { discrepancies } from './verify-count.ts';

export async function runVerifyStep(step: VerifyStep, ctx: StepContext): Promise<StepOutcome> {
  const run = await tracedQuery(ctx, step.sql);
  if (run.error) {
    const error = { sqlstate: sqlstateOf(run.error), message: (run.error as Error).message };
    throw new StepFailure(`verify query failed: ${error.message}`, { statements: [traceOf(step.sql, run, ctx, error)] }, error.sqlstate, { cause: run.error });
  }
  const count = discrepancies(run.result!);
  const outcome = { statements: [traceOf(step.sql, run, ctx)], details: { discrepancies: count } };
  if (count !== 0) {
    outcome.statements[0]!.status = 'failed';
    const what = count === null ? 'the count is NULL, so the invariant was not evaluated' : `invariant violated: ${count} offending row(s)`;
    throw new StepFailure(`${what} for ${step.sql}`, outcome);
  }
  return outcome;
}

export function traceOf(sql: string, run: TracedResult<never> | TracedResult<Record<string, unknown>>, ctx: StepContext, error?: StatementTrace['error']): StatementTrace {
  const startMs = Math.round(run.startMs - ctx.runStartMs);
  const durationMs = Math.round(run.endMs - run.startMs);
  return {
    sql, startMs, endMs: startMs + durationMs, durationMs, lockWaitMs: run.lockWaitMs, locks: run.grantedLocks,
    rewrote: false, rewrittenRelations: [],
    attempts: [{ attempt: 1, startMs, durationMs, lockWaitMs: run.lockWaitMs, ...(error ? { error } : {}) }],
    status: error ? 'failed' : 'ok', ...(error ? { error } : {}),
  };
}

export const verifyStep: StepKind<VerifyStep> = {
  kind: 'verify',
  validate: async (step) => (typeof step.sql === 'string' && step.sql.trim() ? sqlProblems(step.sql) : ['sql (the invariant query) is required']),
  run: runVerifyStep,
};
