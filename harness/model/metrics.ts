// The metrics a budget can limit, one entry each. A metric measures a slice of one variant: the
// whole run, a step, a route (and for errors a SQLSTATE), from the same MetricFacts whether the
// run is still going (live abortOnFail checks) or over. Every metric is "lower is better", so a
// budget is always a maximum. Adding a metric (e.g. the app's own lock-wait or pool-wait time
// once requests carry it) is one entry here.
import type { MetricFacts } from './metric-input.ts';
import type { BudgetCheck, BudgetScope } from './schema.ts';

export type { BudgetScope };
export type MetricUnit = NonNullable<BudgetCheck['unit']>;
export type ScopeTag = 'step' | 'route' | 'sqlstate';

/** A measured value and, for a run-wide worst, where it happened. */
export interface Measured {
  value: number;
  step?: string | null;
  route?: string;
}

export interface MetricDef {
  unit: MetricUnit;
  description: string;
  /** The scope tags it can be sliced by (variant always can). */
  tags: readonly ScopeTag[];
  /**
   * True when a step's value can never exceed the run's (a maximum, or a sum of non-negative
   * parts): an unscoped budget is then also checked per step, to say where it breached.
   */
  perStep: boolean;
  /** Why there can be no value for a slice, shown instead of a number. */
  noData: string;
  /** null when the slice has nothing to measure. */
  measure(f: MetricFacts, scope: BudgetScope): Measured | null;
}

const ms = (n: number): number => Math.round(n);

const longestStallMs: MetricDef = {
  unit: 'ms',
  description: 'longest window in which requests (of a route) were in flight and none got a response; never averaged',
  tags: ['step', 'route'],
  perStep: true,
  noData: 'no requests in this slice',
  measure(f, { step, route }) {
    if (!f.window(step) || f.records(route).length === 0) return null;
    const worst = f.stalls().find((s) => (step === undefined || s.step === step) && (route === undefined || s.route === route));
    return worst ? { value: ms(worst.durationMs), step: worst.step, route: worst.route } : { value: 0 };
  },
};

const maxLatencyMs: MetricDef = {
  unit: 'ms',
  description: 'slowest request scheduled in the slice, from its scheduled start (unfinished ones count with their time so far)',
  tags: ['step', 'route'],
  perStep: true,
  noData: 'no requests in this slice',
  measure(f, { step, route }) {
    const w = f.window(step);
    if (!w) return null;
    let worst: { ms: number; at: number; route: string } | null = null;
    for (const r of f.records(route)) {
      if (r.outcome === 'dropped' || r.scheduledMs < w[0] || r.scheduledMs >= w[1]) continue;
      const latency = r.endMs - r.scheduledMs;
      if (!worst || latency > worst.ms) worst = { ms: latency, at: r.scheduledMs, route: r.route };
    }
    if (!worst) return null;
    return { value: ms(worst.ms), step: f.stepAt(worst.at), route: worst.route };
  },
};

const p99Ms: MetricDef = {
  unit: 'ms',
  description: '99th percentile latency of the requests scheduled in the slice',
  tags: ['step', 'route'],
  perStep: false,
  noData: 'no requests in this slice',
  measure(f, { step, route }) {
    const p99 = f.traffic(step, route)?.p99Ms ?? null;
    return p99 === null ? null : { value: ms(p99) };
  },
};

const errorRate: MetricDef = {
  unit: 'ratio',
  description: 'failed / scheduled requests (non-2xx, transport errors, timeouts, dropped arrivals); with sqlstate, only those answered with that SQLSTATE',
  tags: ['step', 'route', 'sqlstate'],
  perStep: false,
  noData: 'no requests in this slice',
  measure(f, { step, route, sqlstate }) {
    const t = f.traffic(step, route);
    if (!t || t.requests === 0) return null;
    if (sqlstate === undefined) return { value: t.errorRate };
    const w = f.window(step)!;
    const n = f.records(route).filter((r) => r.sqlstate === sqlstate && r.scheduledMs >= w[0] && r.scheduledMs < w[1]).length;
    return { value: n / t.requests };
  },
};

const lockWaiters: MetricDef = {
  unit: 'count',
  description: 'most backends waiting on a lock at one sample (lock sampler)',
  tags: ['step'],
  perStep: true,
  noData: 'no lock sample in this slice',
  measure(f, { step }) {
    const samples = f.samplesIn(step);
    if (!samples?.length) return null;
    const worst = samples.reduce((a, s) => (s.waiters.length > a.waiters.length ? s : a));
    return { value: worst.waiters.length, step: f.stepAt(worst.t) };
  },
};

const blockedBackendSeconds: MetricDef = {
  unit: 's',
  description: 'sum over backends of the time each waited on a lock (from pg_locks.waitstart to the last sample that saw it waiting)',
  tags: ['step'],
  perStep: true,
  noData: 'no lock sample in this slice',
  measure(f, { step }) {
    const w = f.window(step);
    if (!w || !f.samplesIn(step)?.length) return null;
    const run0 = f.input.runStartMs;
    let total = 0;
    for (const ev of f.lockWaits()) {
      const from = Math.max(w[0], run0 + (ev.waitStartMs ?? ev.firstSeenMs));
      const to = Math.min(w[1], run0 + ev.lastSeenMs);
      if (to > from) total += to - from;
    }
    return { value: Math.round(total) / 1000 };
  },
};

const exclusiveHoldMs: MetricDef = {
  unit: 'ms',
  description: 'longest ACCESS EXCLUSIVE hold of one migration statement (lock acquired → its transaction ended)',
  tags: ['step'],
  perStep: true,
  noData: 'no finished migration statement in this slice',
  measure(f, { step }) {
    const holds = f.exclusiveHolds(step);
    if (!holds) return null;
    const worst = holds.reduce((a, h) => (h.ms > a.ms ? h : a), { step: '', sql: '', ms: 0 });
    return worst.ms > 0 ? { value: ms(worst.ms), step: worst.step } : { value: 0 };
  },
};

/** A running step counts with its time so far: already over the limit is already a breach. */
const durationOf = (kind: string | null) => (f: MetricFacts, { step }: BudgetScope): Measured | null => {
  const spans = f.input.steps.filter((s) => (step === undefined || s.name === step) && (kind === null || s.kind === kind));
  if (!spans.length) return null;
  const worst = spans.reduce((a, s) => (s.endMs - s.startMs > a.endMs - a.startMs ? s : a));
  return { value: ms(worst.endMs - worst.startMs), step: worst.name };
};

const stepDurationMs: MetricDef = {
  unit: 'ms',
  description: 'how long a step took (the longest step, for the run)',
  tags: ['step'],
  perStep: true,
  noData: 'the step did not run',
  measure: durationOf(null),
};

const backfillDurationMs: MetricDef = {
  unit: 'ms',
  description: 'how long a backfill step took (the longest one, for the run)',
  tags: ['step'],
  perStep: true,
  noData: 'no backfill step ran in this slice',
  measure: durationOf('backfill'),
};

export const METRICS = {
  longestStallMs,
  maxLatencyMs,
  p99Ms,
  errorRate,
  lockWaiters,
  blockedBackendSeconds,
  exclusiveHoldMs,
  stepDurationMs,
  backfillDurationMs,
} as const satisfies Record<string, MetricDef>;

export type MetricName = keyof typeof METRICS;

export const metricOf = (name: string): MetricDef | undefined => (Object.hasOwn(METRICS, name) ? METRICS[name as MetricName] : undefined);
