// Joins the raw measurements of one variant (request records, lock samples, pool samples,
// step and statement windows) into the VariantResult the report renders. Pure: no I/O.
import { buildSeries, errorsBySqlstate, findStalls, summarizeTraffic } from './traffic.ts';
import type { LockSample, PoolSample, RequestRecord } from './records.ts';
import { dominant, type StepClock } from './windows.ts';
import { lockWaitEvents } from './lock-waits.ts';

export { lockWaitEvents };
import { evaluateBudgets, type BudgetEvaluation, type BudgetSpec } from './budgets.ts';
import { MetricFacts, stepSpans, type MetricInput } from './metric-input.ts';
import { METRICS } from './metrics.ts';
import type { BudgetAbort, Stall, StepResult, Summary, TimelinePoint, VariantResult } from './schema.ts';

export interface VariantMeasurements {
  runStartMs: number;
  runEndMs: number;
  records: readonly RequestRecord[];
  lockSamples: LockSample[];
  poolSamples: PoolSample[];
  clock: StepClock;
  steps: StepResult[]; // run-relative times already
  budgets: readonly BudgetSpec[];
  interrupted: boolean;
  /** The scenario's variant name (a scale run's base name), for budgets scoped to a variant. */
  variant: string;
  /** Every step the variant defines, run or not: a budget on a step it lacks does not apply. */
  plannedSteps: readonly string[];
  /** Set when an abortOnFail budget stopped the migration. */
  aborted?: BudgetAbort | null;
}

/** The budget metrics' view of the measurements up to a horizon (the run end, or now while live). */
export function metricInputOf(m: Omit<VariantMeasurements, 'budgets' | 'interrupted' | 'plannedSteps' | 'poolSamples'>, horizonMs = m.runEndMs): MetricInput {
  return {
    variant: m.variant,
    runStartMs: m.runStartMs,
    horizonMs,
    records: m.records,
    lockSamples: m.lockSamples,
    steps: stepSpans(m.clock.steps, m.steps, horizonMs),
    stepWindows: m.clock.steps,
    statementWindows: m.clock.statements,
  };
}

export const checkVariantBudgets = (m: VariantMeasurements, facts = new MetricFacts(metricInputOf(m))): BudgetEvaluation =>
  evaluateBudgets(m.budgets, facts, { plannedSteps: m.plannedSteps });

export function buildTimeline(m: VariantMeasurements): TimelinePoint[] {
  const series = buildSeries(m.records, { startMs: m.runStartMs, endMs: m.runEndMs, stepAt: (ms) => m.clock.stepAt(ms) });
  const second = (t: number) => Math.floor((t - m.runStartMs) / 1000);
  for (const s of m.lockSamples) {
    const p = series[second(s.t)];
    if (p) p.lockWaiters = Math.max(p.lockWaiters ?? 0, s.waiters.length);
  }
  // Sum of the instances' latest waiting counts, max over the second.
  const latest = new Map<string, number>();
  for (const s of [...m.poolSamples].sort((a, b) => a.t - b.t)) {
    latest.set(s.instance, s.poolWaiting);
    const p = series[second(s.t)];
    if (p) p.poolWaiting = Math.max(p.poolWaiting ?? 0, [...latest.values()].reduce((a, b) => a + b, 0));
  }
  return series;
}

/** Stalls shorter than this are normal gaps between responses; the list leaves them out. */
export const LISTED_STALL_MIN_MS = 100;

/**
 * Every stall window, longest first: the first one is the true longest stall (never hidden by a
 * threshold), the rest only when they reach LISTED_STALL_MIN_MS.
 */
export function attributedStalls(m: VariantMeasurements): Stall[] {
  const all = findStalls(m.records, { endMs: m.runEndMs, minMs: 1 });
  return all.filter((s, i) => i === 0 || s.durationMs >= LISTED_STALL_MIN_MS).map((s) => ({
    ...s,
    startMs: Math.round(s.startMs - m.runStartMs),
    endMs: Math.round(s.endMs - m.runStartMs),
    durationMs: Math.round(s.durationMs),
    step: dominant(m.clock.steps, s.startMs, s.endMs, m.runEndMs),
    statement: dominant(m.clock.statements, s.startMs, s.endMs, m.runEndMs),
  }));
}

export function summarize(m: VariantMeasurements, stalls: Stall[], budgets = checkVariantBudgets(m).checks): Summary {
  const traffic = summarizeTraffic(m.records, -Infinity, Infinity);
  const longest = stalls.reduce<Stall | null>((a, s) => (!a || s.durationMs > a.durationMs ? s : a), null);
  const longestStallMs = longest?.durationMs ?? 0;
  const maxLockWaiters = m.lockSamples.reduce((mx, s) => Math.max(mx, s.waiters.length), 0);
  const failedStep = m.steps.find((s) => s.status === 'failed')?.name ?? null;
  const completed = !m.interrupted && !m.aborted && failedStep === null;
  return {
    verdict: completed && budgets.every((b) => b.ok) ? 'pass' : 'fail',
    completed,
    longestStallMs,
    longestStall: longest,
    maxLatencyMs: Math.round(traffic.maxMs ?? 0),
    errorRate: traffic.errorRate,
    maxLockWaiters,
    requests: traffic.requests,
    errorsBySqlstate: errorsBySqlstate(m.records),
    budgets,
    failedStep,
    p99Ms: traffic.p99Ms,
    aborted: m.aborted ?? null,
  };
}

/**
 * Per-step traffic and lock waiters (attributed by request schedule time and sample time), the
 * longest stall attributed to the step, and the run's budgets checked on the step alone.
 */
export function annotateSteps(m: VariantMeasurements, facts = new MetricFacts(metricInputOf(m)), byStep: BudgetEvaluation['byStep'] = checkVariantBudgets(m, facts).byStep): StepResult[] {
  return m.steps.map((s) => {
    const from = m.runStartMs + s.startMs;
    const to = m.runStartMs + s.endMs;
    const waiters = m.lockSamples.filter((x) => x.t >= from && x.t < to).reduce((mx, x) => Math.max(mx, x.waiters.length), 0);
    const stalled = METRICS.longestStallMs.measure(facts, { step: s.name })?.value ?? 0;
    const sqlstates = errorsBySqlstate(m.records.filter((r) => r.scheduledMs >= from && r.scheduledMs < to));
    return {
      ...s, traffic: summarizeTraffic(m.records, from, to), ...(Object.keys(sqlstates).length ? { errorsBySqlstate: sqlstates } : {}),
      maxLockWaiters: waiters, longestStallMs: stalled, ...(byStep.get(s.name)?.length ? { budgets: byStep.get(s.name) } : {}),
    };
  });
}

export function buildVariantResult(
  m: VariantMeasurements,
  meta: Omit<VariantResult, 'summary' | 'steps' | 'timeline' | 'stalls' | 'lockWaits' | 'durationMs'>,
): VariantResult {
  const timeline = buildTimeline(m);
  const stalls = attributedStalls(m);
  const facts = new MetricFacts(metricInputOf(m));
  const budgets = checkVariantBudgets(m, facts);
  return {
    ...meta,
    durationMs: Math.round(m.runEndMs - m.runStartMs),
    summary: summarize(m, stalls, budgets.checks),
    steps: annotateSteps(m, facts, budgets.byStep),
    timeline,
    stalls,
    lockWaits: lockWaitEvents(m),
  };
}
