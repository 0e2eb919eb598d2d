// Runs a variant's steps in order. Each step is timed on the step clock; a failed step stops
// the scenario, and the steps after it are reported as skipped. Faults armed by fault steps fire
// during the next step and are awaited before the steps are declared done.
import { now } from '../clock.ts';
import { RehearseError, sqlstateOf } from '../errors.ts';
import type { StepResult } from '../model/schema.ts';
import type { Step } from '../scenario.ts';
import { abortCode, BudgetBreach, StepFailure, type StepContext } from './step-context.ts';
import { stepKindOf } from './step-kinds.ts';

export async function runSteps(steps: Step[], ctx: StepContext, results: StepResult[], setPhase: (p: string) => void = () => {}): Promise<void> {
  let stopped = false;
  try {
    for (const [index, step] of steps.entries()) {
      const rel = (ms: number) => Math.round(ms - ctx.runStartMs);
      if (stopped || ctx.signal.aborted) {
        const t = rel(now());
        results.push({ name: step.name, kind: step.kind, status: 'skipped', ...(step.phase ? { phase: step.phase } : {}), startMs: t, endMs: t, durationMs: 0, statements: [] });
        continue;
      }
      const kind = stepKindOf(step.kind)!;
      setPhase(`step ${step.name} (${step.kind})`);
      ctx.log(`▶ ${step.name} (${step.kind})`);
      ctx.progress?.({ kind: 'step-start', step: step.name, stepKind: step.kind, index, total: steps.length });
      ctx.clock.beginStep(step.name);
      const t0 = now();
      // Pushed before it runs, so an interrupted run still reports the step it was in.
      const result: StepResult = { name: step.name, kind: step.kind, status: 'failed', ...(step.phase ? { phase: step.phase } : {}), startMs: rel(t0), endMs: rel(t0), durationMs: 0, statements: [] };
      results.push(result);
      try {
        // Faults due at the step's start are in place before its own work begins.
        if (!kind.armsFaults) await ctx.faults.stepStarting();
        const outcome = await kind.run(step, ctx);
        result.status = ctx.signal.aborted ? 'failed' : 'ok';
        result.statements = outcome.statements;
        if (outcome.details) result.details = outcome.details;
        if (ctx.signal.aborted) result.error = { code: abortCode(ctx.signal), message: stoppedMessage(ctx.signal) };
      } catch (err) {
        stopped = true;
        if (err instanceof StepFailure) {
          result.statements = err.outcome.statements;
          if (err.outcome.details) result.details = err.outcome.details;
        }
        const message = ctx.signal.aborted ? `${stoppedMessage(ctx.signal)} (${(err as Error).message})` : (err as Error).message;
        result.error = { code: ctx.signal.aborted ? abortCode(ctx.signal) : 'REH_STEP_FAILED', sqlstate: err instanceof StepFailure ? err.sqlstate : sqlstateOf(err), message };
        ctx.log(`  ✗ ${step.name} failed: ${(err as Error).message}`);
      } finally {
        ctx.clock.endStep();
        const t1 = now();
        result.endMs = rel(t1);
        result.durationMs = Math.round(t1 - t0);
      }
      if (result.status === 'ok') ctx.log(`  ✓ ${step.name} ${result.durationMs} ms`);
      ctx.progress?.({ kind: 'step-end', step: step.name, status: result.status, durationMs: result.durationMs });
      if (ctx.signal.aborted) stopped = true;
    }
  } finally {
    setPhase('waiting for faults to finish');
    await ctx.faults.settle({ fireArmed: !stopped && !ctx.signal.aborted });
  }
}

const stoppedMessage = (signal: AbortSignal): string =>
  signal.reason instanceof BudgetBreach
    ? `stopped: ${signal.reason.message}`
    : signal.reason instanceof RehearseError && signal.reason.code !== 'REH_INTERRUPTED'
      ? `stopped: ${signal.reason.message.split('\n')[0]}`
      : 'interrupted while this step ran';
