// Joins the raw measurements of one variant (request records, lock samples, pool samples, CPU
// samples, step and statement windows) into the VariantResult the report renders. Pure: no I/O.
//
// Warm-up [runStartMs, warmup.endMs) is measured but not counted: a request belongs to the window
// it was *scheduled* in (as for steps), so one scheduled during warm-up counts in no step, in no
// summary figure and in no budget, even if it ends later. Stalls are windows of time, not requests:
// they are found over every request (a warm-up request still in flight is evidence) and only their
// part before warm-up ended is dropped, so a stall reaching into the first step is never hidden.
import { buildSeries, errorsBySqlstate, findStalls, stallsFrom, summarizeTraffic } from './traffic.ts';
import type { CpuComponentRef, CpuSample, LockSample, PoolSample, RequestRecord } from './records.ts';
import { dominant, type StepClock } from './windows.ts';
import { lockWaitEvents } from './lock-waits.ts';
import { LockWaitIndex, routeCauses, StallExplainer } from './causes.ts';
import { fineTimeline } from './fine-timeline.ts';

export { lockWaitEvents };
import { evaluateBudgets, type BudgetEvaluation, type BudgetSpec } from './budgets.ts';
import { cpuUse, saturatedWithin, secondRanges } from './cpu.ts';
import { MetricFacts, stepSpans, type MetricInput } from './metric-input.ts';
import { METRICS } from './metrics.ts';
import { steadyStateOf } from './steady-state.ts';
import type { BudgetAbort, CpuUse, EventImpact, LockWaitEvent, RunEvent, Stall, SteadyCriteria, SteadyState, StepResult, Summary, TimelinePoint, VariantResult, Warmup } from './schema.ts';

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
  /** When warm-up ended (monotonic); runStartMs when there was none. */
  warmup: { mode: Warmup['mode']; endMs: number; settled: boolean | null; criteria: SteadyCriteria };
  cpu: { samples: CpuSample[]; components: CpuComponentRef[]; cores: number; intervalMs: number } | null;
}

/** Where the counted part of the run starts: the end of warm-up. */
const measuredFrom = (m: Pick<VariantMeasurements, 'runStartMs' | 'warmup'>): number => Math.max(m.runStartMs, m.warmup.endMs);

/** The budget metrics' view of the measurements up to a horizon (the run end, or now while live). */
export function metricInputOf(m: Omit<VariantMeasurements, 'budgets' | 'interrupted' | 'plannedSteps' | 'poolSamples' | 'cpu'>, horizonMs = m.runEndMs): MetricInput {
  return {
    variant: m.variant,
    runStartMs: m.runStartMs,
    measuredFromMs: measuredFrom(m),
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
export function attributedStalls(m: VariantMeasurements, locks?: { index: LockWaitIndex; waits: readonly LockWaitEvent[] }): Stall[] {
  const from = measuredFrom(m);
  const explainer = locks ? new StallExplainer(m.records, locks.index, locks.waits, m.runStartMs) : null;
  const counted = stallsFrom(findStalls(m.records, { endMs: m.runEndMs, minMs: 1 }), from);
  return counted.filter((s, i) => i === 0 || s.durationMs >= LISTED_STALL_MIN_MS).map((s) => ({
    ...s,
    ...(explainer ? { cause: explainer.explain(s) } : {}),
    startMs: Math.round(s.startMs - m.runStartMs),
    endMs: Math.round(s.endMs - m.runStartMs),
    durationMs: Math.round(s.durationMs),
    step: dominant(m.clock.steps, s.startMs, s.endMs, m.runEndMs),
    statement: dominant(m.clock.statements, s.startMs, s.endMs, m.runEndMs),
  }));
}

/** Warm-up as reported: its length, whether it settled, and what its (uncounted) traffic looked like. */
export function warmupResult(m: VariantMeasurements): Warmup {
  const from = measuredFrom(m);
  const inWarmup = m.warmup.mode === 'off' ? [] : findStalls(m.records, { endMs: m.runEndMs, minMs: 1 }).filter((s) => s.startMs < from);
  return {
    mode: m.warmup.mode,
    startMs: 0,
    endMs: Math.round(from - m.runStartMs),
    durationMs: Math.round(from - m.runStartMs),
    settled: m.warmup.settled,
    criteria: m.warmup.criteria,
    traffic: m.warmup.mode === 'off' ? null : summarizeTraffic(m.records, m.runStartMs, from),
    longestStallMs: Math.round(Math.max(0, ...inWarmup.map((s) => Math.min(s.endMs, from) - s.startMs))),
  };
}

/** Rate and p99 over the last window of warm-up (up to windowSeconds): what the steps are measured against. */
export function steadyStateResult(m: VariantMeasurements): SteadyState | null {
  const to = measuredFrom(m);
  if (m.warmup.mode === 'off' || to <= m.runStartMs) return null;
  const from = Math.max(m.runStartMs, to - m.warmup.criteria.windowSeconds * 1000);
  return steadyStateOf(m.records, from, to, m.runStartMs, m.warmup.settled === true);
}

/** The variant's summary over the counted part of the run (after warm-up). */
export function summarize(m: VariantMeasurements, stalls: Stall[], budgets = checkVariantBudgets(m).checks): Summary {
  const from = measuredFrom(m);
  const counted = from > m.runStartMs ? m.records.filter((r) => r.scheduledMs >= from) : m.records;
  const traffic = summarizeTraffic(counted, -Infinity, Infinity);
  const longest = stalls.reduce<Stall | null>((a, s) => (!a || s.durationMs > a.durationMs ? s : a), null);
  const longestStallMs = longest?.durationMs ?? 0;
  const maxLockWaiters = m.lockSamples.filter((s) => s.t >= from).reduce((mx, s) => Math.max(mx, s.waiters.length), 0);
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
    errorsBySqlstate: errorsBySqlstate(counted),
    budgets,
    failedStep,
    p99Ms: traffic.p99Ms,
    aborted: m.aborted ?? null,
  };
}

/**
 * Per-step traffic and lock waiters (attributed by request schedule time and sample time), the
 * longest stall attributed to the step, the run's budgets checked on the step alone, and how many
 * of its seconds had the machine's CPU saturated.
 */
export function annotateSteps(m: VariantMeasurements, facts = new MetricFacts(metricInputOf(m)), byStep: BudgetEvaluation['byStep'] = checkVariantBudgets(m, facts).byStep, cpu: CpuUse | null = null, locks?: LockWaitIndex): StepResult[] {
  return m.steps.map((s) => {
    const from = m.runStartMs + s.startMs;
    const to = m.runStartMs + s.endMs;
    const waiters = m.lockSamples.filter((x) => x.t >= from && x.t < to).reduce((mx, x) => Math.max(mx, x.waiters.length), 0);
    const stalled = METRICS.longestStallMs.measure(facts, { step: s.name })?.value ?? 0;
    const sqlstates = errorsBySqlstate(m.records.filter((r) => r.scheduledMs >= from && r.scheduledMs < to));
    const step: StepResult = {
      ...s, traffic: summarizeTraffic(m.records, from, to), ...(Object.keys(sqlstates).length ? { errorsBySqlstate: sqlstates } : {}),
      maxLockWaiters: waiters, longestStallMs: stalled, ...(byStep.get(s.name)?.length ? { budgets: byStep.get(s.name) } : {}),
    };
    if (cpu && cpu.machine.some((x) => x !== null)) step.saturatedSeconds = saturatedWithin(cpu, s.startMs, s.endMs);
    if (locks) {
      const causes = routeCauses(m.records.filter((r) => r.scheduledMs >= from && r.scheduledMs < to), locks);
      if (causes.length) step.latencyCauses = causes;
    }
    return step;
  });
}

/**
 * What happened to the app and the migration from an event on: traffic scheduled from the event
 * until the later of its own end and the end of the step it fired in, the longest stall
 * overlapping that window, and how that step ended.
 */
export function eventImpact(m: VariantMeasurements, e: RunEvent, stalls: Stall[]): EventImpact {
  const at = m.runStartMs + e.atMs;
  const window = m.clock.steps.find((w) => w.startMs <= at && (w.endMs ?? m.runEndMs) >= at);
  const step = window ? m.steps.find((s) => s.name === window.name) : undefined;
  const toMs = Math.round(Math.max(e.endMs ?? e.atMs, window ? (window.endMs ?? m.runEndMs) - m.runStartMs : e.atMs));
  const inWindow = m.records.filter((r) => r.scheduledMs >= at && r.scheduledMs < m.runStartMs + toMs);
  const t = summarizeTraffic(inWindow, -Infinity, Infinity);
  return {
    step: window?.name ?? null,
    stepStatus: step?.status ?? null,
    stepSqlstate: step?.error?.sqlstate ?? null,
    fromMs: e.atMs,
    toMs,
    requests: t.requests,
    errors: t.non2xx + t.errors + t.timeouts,
    errorsBySqlstate: errorsBySqlstate(inWindow),
    p99Ms: t.p99Ms,
    maxMs: t.maxMs,
    longestStallMs: stalls.filter((s) => s.endMs > e.atMs && s.startMs < toMs).reduce((mx, s) => Math.max(mx, s.durationMs), 0),
  };
}

export function cpuResult(m: VariantMeasurements, steady: SteadyState | null): CpuUse | null {
  if (!m.cpu) return null;
  return cpuUse({
    ...m.cpu,
    runStartMs: m.runStartMs,
    runEndMs: m.runEndMs,
    steady: steady ? { fromMs: m.runStartMs + steady.fromMs, toMs: m.runStartMs + steady.toMs } : null,
  });
}

/** "Not measured" notes about CPU: saturated seconds after warm-up, and what the sampler could not see. */
export function cpuNotes(cpu: CpuUse | null, warmupEndS: number): string[] {
  if (!cpu) return [];
  if (!cpu.machine.some((x) => x !== null)) return ['Machine CPU was not measured, so saturated seconds cannot be told apart.'];
  const counted = cpu.saturatedSeconds.filter((t) => t + 1 > warmupEndS);
  if (!counted.length) return [];
  const mean = (kind: 'harness' | 'app' | 'postgres'): string => {
    const cs = cpu.components.filter((c) => c.kind === kind);
    if (!cs.some((c) => counted.some((t) => c.cores[t] !== null && c.cores[t] !== undefined))) return 'not measured';
    const sum = counted.reduce((a, t) => a + cs.reduce((b, c) => b + (c.cores[t] ?? 0), 0), 0);
    return `${(sum / counted.length).toFixed(2)}`;
  };
  const machine = counted.reduce((a, t) => a + (cpu.machine[t] ?? 0), 0) / counted.length;
  return [
    `Latency in ${counted.length} s after warm-up (t = ${secondRanges(counted)} s) is a statement about this machine, not about the migration: ` +
      `its CPU was at least ${Math.round(cpu.saturationThreshold * 100)} % busy (${machine.toFixed(2)} of ${cpu.cores} cores on average; ` +
      `harness ${mean('harness')}, apps ${mean('app')}, Postgres ${mean('postgres')}, the rest other processes).`,
  ];
}

/** What the cause breakdown could not see, in words. */
export function causeNotes(records: readonly RequestRecord[]): string[] {
  const done = records.filter((r) => r.outcome === 'ok' || r.outcome === 'non2xx');
  if (!done.length) return [];
  const timed = done.filter((r) => r.dbMs !== undefined);
  if (!timed.length) return ['Pool wait and query time per request were not measured: the app sent no Server-Timing header, so latency causes are not measured.'];
  const notes: string[] = [];
  if (timed.length < done.length) notes.push(`Pool wait and query time were measured for ${timed.length} of ${done.length} completed requests; latency causes cover only those.`);
  if (timed.some((r) => r.backendPid === undefined)) notes.push('Some responses named no backend pid: their lock wait cannot be attributed and is counted in query time.');
  return notes;
}

export function buildVariantResult(
  m: VariantMeasurements,
  meta: Omit<VariantResult, 'summary' | 'steps' | 'timeline' | 'stalls' | 'lockWaits' | 'durationMs' | 'interrupted' | 'warmup' | 'steadyState' | 'cpu'>,
): VariantResult {
  const timeline = buildTimeline(m);
  const lockWaits = lockWaitEvents(m);
  const lockIndex = new LockWaitIndex(m.lockSamples);
  const stalls = attributedStalls(m, { index: lockIndex, waits: lockWaits });
  const warmup = warmupResult(m);
  const steadyState = steadyStateResult(m);
  const cpu = cpuResult(m, steadyState);
  const facts = new MetricFacts(metricInputOf(m));
  const budgets = checkVariantBudgets(m, facts);
  return {
    ...meta,
    durationMs: Math.round(m.runEndMs - m.runStartMs),
    interrupted: m.interrupted,
    summary: summarize(m, stalls, budgets.checks),
    steps: annotateSteps(m, facts, budgets.byStep, cpu, lockIndex),
    timeline,
    stalls,
    lockWaits,
    events: meta.events.map((e) => ({ ...e, impact: eventImpact(m, e, stalls) })).sort((a, b) => a.atMs - b.atMs),
    notMeasured: [...meta.notMeasured, ...cpuNotes(cpu, warmup.endMs / 1000), ...causeNotes(m.records)],
    warmup,
    steadyState,
    cpu,
    latencyCauses: routeCauses(m.records.filter((r) => r.scheduledMs >= measuredFrom(m)), lockIndex),
    fineTimeline: fineTimeline(m.records, m.runStartMs, m.runEndMs),
  };
}
