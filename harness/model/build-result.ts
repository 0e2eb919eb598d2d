// Joins the raw measurements of one variant (request records, lock samples, pool samples,
// step and statement windows) into the VariantResult the report renders. Pure: no I/O.
import { buildSeries, errorsBySqlstate, findStalls, summarizeTraffic } from './traffic.ts';
import type { LockSample, PoolSample, RequestRecord } from './records.ts';
import { dominant, type StepClock } from './windows.ts';
import { checkBudgets } from './budgets.ts';
import type { Budgets, LockWaitEvent, Stall, StepResult, Summary, TimelinePoint, VariantResult } from './schema.ts';

export interface VariantMeasurements {
  runStartMs: number;
  runEndMs: number;
  records: readonly RequestRecord[];
  lockSamples: LockSample[];
  poolSamples: PoolSample[];
  clock: StepClock;
  steps: StepResult[]; // run-relative times already
  budgets: Budgets;
  interrupted: boolean;
}

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

/** Consecutive samples of the same backend waiting for the same lock become one event. */
export function lockWaitEvents(m: VariantMeasurements): LockWaitEvent[] {
  const open = new Map<string, LockWaitEvent>();
  const done: LockWaitEvent[] = [];
  const rel = (t: number) => Math.round(t - m.runStartMs);
  for (const s of m.lockSamples) {
    const seen = new Set<string>();
    for (const w of s.waiters) {
      const key = `${w.pid}|${w.mode}|${w.relation}`;
      seen.add(key);
      const ev = open.get(key);
      if (ev) {
        ev.lastSeenMs = rel(s.t);
        ev.blockers = [...new Set([...ev.blockers, ...w.blockers])];
      } else {
        open.set(key, {
          pid: w.pid, application: w.application, mode: w.mode ?? 'unknown', relation: w.relation, blockers: w.blockers,
          firstSeenMs: rel(s.t), lastSeenMs: rel(s.t),
          waitStartMs: w.waitingMs === null ? null : Math.round(rel(s.t) - w.waitingMs),
          step: null, statement: null, query: w.query,
        });
      }
    }
    for (const [key, ev] of open) if (!seen.has(key)) { done.push(ev); open.delete(key); }
  }
  done.push(...open.values());
  for (const ev of done) {
    const from = m.runStartMs + (ev.waitStartMs ?? ev.firstSeenMs);
    const to = m.runStartMs + ev.lastSeenMs;
    ev.step = dominant(m.clock.steps, from, to, m.runEndMs);
    ev.statement = dominant(m.clock.statements, from, to, m.runEndMs);
  }
  return done.sort((a, b) => a.firstSeenMs - b.firstSeenMs);
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

export function summarize(m: VariantMeasurements, stalls: Stall[]): Summary {
  const traffic = summarizeTraffic(m.records, -Infinity, Infinity);
  const longest = stalls.reduce<Stall | null>((a, s) => (!a || s.durationMs > a.durationMs ? s : a), null);
  const longestStallMs = longest?.durationMs ?? 0;
  const maxLockWaiters = m.lockSamples.reduce((mx, s) => Math.max(mx, s.waiters.length), 0);
  const budgets = checkBudgets(m.budgets, { longestStallMs, errorRate: traffic.errorRate });
  const failedStep = m.steps.find((s) => s.status === 'failed')?.name ?? null;
  const completed = !m.interrupted && failedStep === null;
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
  };
}

/** Per-step traffic and lock waiters, attributed by request schedule time and sample time. */
export function annotateSteps(m: VariantMeasurements): StepResult[] {
  return m.steps.map((s) => {
    const from = m.runStartMs + s.startMs;
    const to = m.runStartMs + s.endMs;
    const waiters = m.lockSamples.filter((x) => x.t >= from && x.t < to).reduce((mx, x) => Math.max(mx, x.waiters.length), 0);
    return { ...s, traffic: summarizeTraffic(m.records, from, to), maxLockWaiters: waiters };
  });
}

export function buildVariantResult(
  m: VariantMeasurements,
  meta: Omit<VariantResult, 'summary' | 'steps' | 'timeline' | 'stalls' | 'lockWaits' | 'durationMs'>,
): VariantResult {
  const timeline = buildTimeline(m);
  const stalls = attributedStalls(m);
  return {
    ...meta,
    durationMs: Math.round(m.runEndMs - m.runStartMs),
    summary: summarize(m, stalls),
    steps: annotateSteps(m),
    timeline,
    stalls,
    lockWaits: lockWaitEvents(m),
  };
}
