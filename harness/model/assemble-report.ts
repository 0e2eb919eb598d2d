// The run report: every variant's result plus an overall summary that is the worst of them,
// so a stall in any variant is never averaged away. Pure: no I/O.
import type { Projection } from './projection.ts';
import { SCHEMA_VERSION, type Calibration, type RunReport, type RunStatus, type Summary, type VariantResult } from './schema.ts';
import { compareBaselines } from './steady-state.ts';

export interface RunOutcome {
  status: RunStatus;
  stoppedDuring: string | null;
  error: { code: string; message: string } | null;
}

export const COMPLETED: RunOutcome = { status: 'completed', stoppedDuring: null, error: null };

export function assembleReport(a: { runId: string; startedAt: string; durationMs: number; scenario: string; variants: VariantResult[]; toolVersion: string; seed: RunReport['seed']; projection?: Projection; calibration?: Calibration; outcome?: RunOutcome }): RunReport {
  const first = a.variants[0];
  const outcome = a.outcome ?? COMPLETED;
  return {
    schemaVersion: SCHEMA_VERSION,
    runId: a.runId,
    status: outcome.status,
    stoppedDuring: outcome.stoppedDuring,
    error: outcome.error,
    tool: { name: 'rehearse', version: a.toolVersion },
    startedAt: a.startedAt,
    durationMs: a.durationMs,
    scenario: a.scenario,
    summary: overallSummary(a.variants),
    steps: first?.steps ?? [],
    timeline: first?.timeline ?? [],
    variants: a.variants,
    seed: a.seed,
    ...(a.projection ? { projection: a.projection } : {}),
    ...(a.calibration ? { calibration: a.calibration } : {}),
    baselines: compareBaselines(a.variants),
  };
}

/** Worst of every variant: a stall in any variant is never averaged away. */
function overallSummary(variants: VariantResult[]): Summary {
  if (variants.length === 1) return variants[0]!.summary;
  // An interrupted or failed run may have measured nothing yet: that is not a pass.
  if (variants.length === 0) {
    return { verdict: 'fail', completed: false, longestStallMs: 0, longestStall: null, maxLatencyMs: 0, errorRate: 0, maxLockWaiters: 0, requests: 0, errorsBySqlstate: {}, budgets: [], failedStep: null };
  }
  const worstStall = variants.map((v) => v.summary).reduce<Summary | null>((a, s) => (!a || s.longestStallMs > a.longestStallMs ? s : a), null);
  const errorsBySqlstate: Record<string, number> = {};
  for (const v of variants) for (const [k, n] of Object.entries(v.summary.errorsBySqlstate)) errorsBySqlstate[k] = (errorsBySqlstate[k] ?? 0) + n;
  const failed = variants.find((v) => v.summary.failedStep);
  return {
    verdict: variants.length > 0 && variants.every((v) => v.summary.verdict === 'pass') ? 'pass' : 'fail',
    completed: variants.length > 0 && variants.every((v) => v.summary.completed),
    longestStallMs: worstStall?.longestStallMs ?? 0,
    longestStall: worstStall?.longestStall ?? null,
    maxLatencyMs: Math.max(0, ...variants.map((v) => v.summary.maxLatencyMs)),
    errorRate: Math.max(0, ...variants.map((v) => v.summary.errorRate)),
    maxLockWaiters: Math.max(0, ...variants.map((v) => v.summary.maxLockWaiters)),
    requests: variants.reduce((s, v) => s + v.summary.requests, 0),
    errorsBySqlstate,
    budgets: variants.flatMap((v) => v.summary.budgets.map((b) => ({ ...b, variant: v.variant }))),
    failedStep: failed ? `${failed.variant}/${failed.summary.failedStep}` : null,
  };
}
