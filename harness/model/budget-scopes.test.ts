// Budgets over hand-built measurements whose every value is computed by hand in the comments:
// scopes (run, step, route, SQLSTATE, variant), boundaries, per-step breakdown, and the same
// evaluation on partial data (a live check) as on the whole run.
import { describe, expect, it } from 'vitest';
import { evaluateBudgets, mergeDeclarations, parseBudget, parseBudgetFlag, parseBudgetKey, resolveBudgets, type BudgetSpec } from './budgets.ts';
import type { MetricInput } from './metric-input.ts';
import type { LockSample, RequestRecord } from './records.ts';
import type { BudgetCheck, StatementTrace } from './schema.ts';
import type { Window } from './windows.ts';

const rec = (route: string, scheduledMs: number, endMs: number, outcome: RequestRecord['outcome'] = 'ok', sqlstate?: string): RequestRecord => ({
  route, target: 'i1', scheduledMs, sentMs: scheduledMs, endMs, status: outcome === 'ok' ? 200 : 503, outcome, ...(sqlstate ? { sqlstate } : {}),
});

// Steps: baseline [0,1000), alter [1000,3000), after [3000,4000); the run ends at 4500.
const WINDOWS: Window[] = [
  { name: 'baseline', startMs: 0, endMs: 1000 },
  { name: 'alter', startMs: 1000, endMs: 3000 },
  { name: 'after', startMs: 3000, endMs: 4000 },
];

// The ALTER holds ACCESS EXCLUSIVE from 1200 (start 1100 + 100 ms lock wait) until its commit at 2400: 1200 ms.
const ALTER: StatementTrace = {
  sql: 'ALTER TABLE t ALTER COLUMN c TYPE bigint', startMs: 1100, endMs: 2300, durationMs: 1200, lockWaitMs: 100,
  locks: [{ mode: 'AccessExclusiveLock', relation: 't', locktype: 'relation' }], heldUntilMs: 2400, rewrote: true, rewrittenRelations: ['t'],
  attempts: [{ attempt: 1, startMs: 1100, durationMs: 1200, lockWaitMs: 100 }], status: 'ok',
};

function records(): RequestRecord[] {
  const out: RequestRecord[] = [];
  for (let t = 0; t <= 4400; t += 100) {
    // Reads are never blocked: 10 ms each.
    out.push(rec('read', t, t + 10));
    // Writes scheduled in [1200, 2400) wait for the lock and all answer at 2405.
    if (t >= 1200 && t < 2400) out.push(rec('write', t, 2405));
    // Two writes fail fast with a lock timeout in `after`.
    else if (t === 3000 || t === 3100) out.push(rec('write', t, t + 10, 'non2xx', '55P03'));
    else out.push(rec('write', t, t + 10));
  }
  return out;
}

const waiter = (pid: number, waitingMs: number) => ({ pid, application: 'app', mode: 'RowExclusiveLock', relation: 't', blockers: [99], waitingMs, query: 'UPDATE t …' });
// Waits: pid1 1200→2000 (800 ms), pid2 1300→2000 (700), pid3 1400→2000 (600), pid4 1850→2300 (450), pid5 1950→2300 (350): 2.9 backend-s.
const SAMPLES: LockSample[] = [
  { t: 500, waiters: [] },
  { t: 1500, waiters: [waiter(1, 300), waiter(2, 200), waiter(3, 100)] },
  { t: 2000, waiters: [waiter(1, 800), waiter(2, 700), waiter(3, 600), waiter(4, 150), waiter(5, 50)] },
  { t: 2300, waiters: [waiter(4, 450), waiter(5, 350)] },
  { t: 3500, waiters: [] },
];

function input(horizonMs = 4500): MetricInput {
  const windows = WINDOWS.filter((w) => w.startMs < horizonMs).map((w) => ({ ...w, endMs: w.endMs !== null && w.endMs <= horizonMs ? w.endMs : null }));
  // What a live check sees at the horizon: requests answered by then, and the rest still in flight.
  const recs = records().filter((r) => r.sentMs < horizonMs).map((r) => (r.endMs <= horizonMs ? r : { ...r, endMs: horizonMs, outcome: 'unfinished' as const, status: 0 }));
  return {
    variant: 'safe',
    runStartMs: 0,
    horizonMs,
    records: recs,
    lockSamples: SAMPLES.filter((s) => s.t <= horizonMs),
    steps: windows.map((w) => ({
      name: w.name, kind: w.name === 'alter' ? 'sql' : 'pause', startMs: w.startMs, endMs: w.endMs ?? horizonMs, running: w.endMs === null,
      statements: w.name === 'alter' && w.endMs !== null ? [ALTER] : [],
    })),
    stepWindows: windows,
    statementWindows: horizonMs > 1100 ? [{ name: ALTER.sql, startMs: 1100, endMs: horizonMs > 2300 ? 2300 : null }] : [],
  };
}

const spec = (key: string, limit: number | { limit: number; abortOnFail?: boolean }): BudgetSpec => {
  const s = parseBudget(key, limit, 'scenario');
  if ('problem' in s) throw new Error(s.problem);
  return s;
};
const check = (key: string, limit: number, at = input(), plannedSteps?: string[]): BudgetCheck | undefined =>
  evaluateBudgets([spec(key, limit)], at, { plannedSteps }).checks[0];
const value = (key: string, at = input()) => check(key, key.startsWith('errorRate') ? 1 : 1e9, at)?.value;

describe('budget metrics by scope (hand-computed)', () => {
  it('should measure the longest stall of the run, a step and a route', () => {
    // The blocked writes: first sent at 1200 with nothing else of the route in flight, first answer at 2405.
    expect(check('longestStallMs', 1000)).toMatchObject({ value: 1205, ok: false, where: { step: 'alter', route: 'write' } });
    expect(value('longestStallMs{step:alter}')).toBe(1205);
    // Outside the lock, each request is alone in flight for its 10 ms.
    expect(value('longestStallMs{step:baseline}')).toBe(10);
    expect(value('longestStallMs{route:read}')).toBe(10);
    expect(value('longestStallMs{step:alter,route:read}')).toBe(10);
  });

  it('should measure the slowest request and p99 from the scheduled start', () => {
    expect(check('maxLatencyMs', 1000)).toMatchObject({ value: 1205, where: { step: 'alter', route: 'write' } });
    expect(value('maxLatencyMs{route:read}')).toBe(10);
    // 45 writes: 12 blocked (1205, 1105, …, 105 ms), 33 of 10 ms; the 99th percentile is the slowest.
    expect(value('p99Ms{route:write}')).toBe(1205);
    expect(value('p99Ms{route:read}')).toBe(10);
    expect(value('p99Ms{step:baseline}')).toBe(10);
  });

  it('should measure error rates per run, step, route and SQLSTATE', () => {
    // 90 requests, 2 failed; `after` scheduled 20 requests (3000…3900, both routes).
    expect(value('errorRate')).toBeCloseTo(2 / 90, 12);
    expect(value('errorRate{sqlstate:55P03}')).toBeCloseTo(2 / 90, 12);
    expect(value('errorRate{sqlstate:57014}')).toBe(0);
    expect(value('errorRate{step:after}')).toBeCloseTo(2 / 20, 12);
    expect(value('errorRate{route:read}')).toBe(0);
    expect(value('errorRate{step:after,route:write}')).toBeCloseTo(2 / 10, 12);
  });

  it('should measure lock waiters and blocked backend-seconds from the samples', () => {
    expect(check('lockWaiters', 4)).toMatchObject({ value: 5, ok: false, where: { step: 'alter' } });
    expect(value('lockWaiters{step:baseline}')).toBe(0);
    expect(value('blockedBackendSeconds')).toBe(2.9);
    expect(value('blockedBackendSeconds{step:alter}')).toBe(2.9);
    expect(value('blockedBackendSeconds{step:after}')).toBe(0);
  });

  it('should measure the ACCESS EXCLUSIVE hold per statement and step durations', () => {
    expect(check('exclusiveHoldMs', 1000)).toMatchObject({ value: 1200, ok: false, where: { step: 'alter' } });
    expect(value('exclusiveHoldMs{step:alter}')).toBe(1200);
    expect(check('stepDurationMs', 2000)).toMatchObject({ value: 2000, ok: true, where: { step: 'alter' } });
    expect(value('stepDurationMs{step:after}')).toBe(1000);
  });

  it('should say "not measured" instead of a number when a slice has nothing to measure', () => {
    expect(check('backfillDurationMs', 1000)).toMatchObject({ value: null, actual: null, ok: true, note: 'not measured: no backfill step ran in this slice' });
    // A planned step that never ran (the variant failed before it).
    expect(check('stepDurationMs{step:contract}', 1000, input(), ['baseline', 'alter', 'after', 'contract'])).toMatchObject({ value: null, note: 'not measured: the step did not run' });
  });
});

describe('budget boundaries', () => {
  it('should pass a value exactly at the limit and fail one over it, for every unit', () => {
    expect(check('longestStallMs', 1205)!.ok).toBe(true);
    expect(check('longestStallMs', 1204)!.ok).toBe(false);
    expect(check('errorRate{step:after}', 0.1)!.ok).toBe(true);
    expect(check('errorRate{step:after}', 0.0999)!.ok).toBe(false);
    expect(check('lockWaiters', 5)!.ok).toBe(true);
    expect(check('blockedBackendSeconds', 2.9)!.ok).toBe(true);
    expect(check('blockedBackendSeconds', 2.899)!.ok).toBe(false);
    expect(check('errorRate{route:read}', 0)!.ok).toBe(true);
  });

  it('should never let an average hide a stall: a 2 s stall in a 10-minute run breaches a 1 s budget', () => {
    const recs: RequestRecord[] = [];
    // 10 minutes at 10 req/s, 5 ms each; those scheduled in [300 s, 302 s) all answer at 302.005 s.
    for (let t = 0; t < 600_000; t += 100) recs.push(rec('read', t, t >= 300_000 && t < 302_000 ? 302_005 : t + 5));
    const long: MetricInput = {
      variant: 'v', runStartMs: 0, horizonMs: 600_000, records: recs, lockSamples: [],
      steps: [{ name: 'soak', kind: 'pause', startMs: 0, endMs: 600_000, running: false, statements: [] }],
      stepWindows: [{ name: 'soak', startMs: 0, endMs: 600_000 }], statementWindows: [],
    };
    const { checks } = evaluateBudgets([spec('maxStallMs', 1000), spec('p99Ms', 1000), spec('errorRate', 0)], long);
    expect(checks.map((c) => [c.name, c.value, c.ok])).toEqual([
      ['maxStallMs', 2005, false],
      // The run's p99 stays low (20 of 6000 requests were slow): only the stall budget sees the outage.
      ['p99Ms', 5, true],
      ['errorRate', 0, true],
    ]);
  });
});

describe('budget scopes and the per-step breakdown', () => {
  it('should check an unscoped budget on every step too, so a breach names its step', () => {
    const { checks, byStep } = evaluateBudgets([spec('maxStallMs', 1000)], input());
    expect(checks).toHaveLength(1);
    expect([...byStep].map(([step, cs]) => [step, cs.map((c) => [c.scope?.step, c.value, c.ok])])).toEqual([
      ['baseline', [['baseline', 10, true]]],
      ['alter', [['alter', 1205, false]]],
      ['after', [['after', 10, true]]],
    ]);
  });

  it('should not break down metrics whose step value is not a part of the run value (p99, error rate)', () => {
    const { byStep } = evaluateBudgets([spec('p99Ms', 100), spec('maxErrorRate', 0.05)], input());
    // `after` has an error rate of 10 % (over 0.05) while the run has 2.2 %: judged as declared, over the run.
    expect(byStep.size).toBe(0);
  });

  it('should apply a budget scoped to a variant only to that variant, and one on a step only where the step exists', () => {
    expect(evaluateBudgets([spec('longestStallMs{variant:naive}', 1)], input()).checks).toEqual([]);
    expect(evaluateBudgets([spec('longestStallMs{variant:safe}', 1)], input()).checks).toHaveLength(1);
    expect(evaluateBudgets([spec('stepDurationMs{step:contract}', 1)], input(), { plannedSteps: ['baseline', 'alter', 'after'] }).checks).toEqual([]);
  });
});

describe('live checks use the same code on partial data', () => {
  it('should see a stall grow while it happens, counting the requests still in flight', () => {
    // At 2000 the first blocked write (sent at 1200) has been waiting 800 ms; at 2300, 1100 ms.
    expect(value('longestStallMs', input(2000))).toBe(800);
    expect(check('longestStallMs', 1000, input(2300))).toMatchObject({ value: 1100, ok: false, where: { step: 'alter', route: 'write' } });
    // A running step counts with its time so far.
    expect(value('stepDurationMs{step:alter}', input(2300))).toBe(1300);
    // Its statements are not known until it ends.
    expect(value('exclusiveHoldMs{step:alter}', input(2300))).toBeNull();
    expect(value('exclusiveHoldMs{step:alter}', input(3000))).toBe(1200);
  });
});

describe('budget declarations', () => {
  it('should parse metric and scope, with quoted values', () => {
    expect(parseBudgetKey('longestStallMs{step:contract}')).toEqual({ metric: 'longestStallMs', scope: { step: 'contract' } });
    expect(parseBudgetKey('maxStallMs')).toEqual({ metric: 'longestStallMs', scope: {} });
    expect(parseBudgetKey('p99Ms{route:"GET /a,b", step: s1}')).toEqual({ metric: 'p99Ms', scope: { route: 'GET /a,b', step: 's1' } });
    expect(parseBudgetKey('errorRate{sqlstate:55P03,variant:safe}')).toEqual({ metric: 'errorRate', scope: { sqlstate: '55P03', variant: 'safe' } });
  });

  it('should say what is wrong with a bad budget', () => {
    const problem = (k: string, v: unknown = 1) => {
      const r = parseBudget(k, v, 'scenario');
      return 'problem' in r ? r.problem : null;
    };
    expect(problem('longestStal')).toMatch(/unknown budget metric "longestStal" \(known: longestStallMs, /);
    expect(problem('p99Ms{sqlstate:55P03}')).toMatch(/p99Ms cannot be scoped by sqlstate \(it takes step, route, variant\)/);
    expect(problem('errorRate{sqlstate:lock}')).toMatch(/SQLSTATE is 5 characters/);
    expect(problem('lockWaiters{step:a,step:b}')).toMatch(/step is given twice/);
    expect(problem('lockWaiters{colour:red}')).toMatch(/unknown scope "colour"/);
    expect(problem('errorRate', 5)).toMatch(/fraction of requests, 0..1/);
    expect(problem('maxStallMs', -1)).toMatch(/limit must be a number ≥ 0/);
    expect(problem('maxStallMs', { limit: 5, abort: true })).toMatch(/unknown field abort/);
    expect(problem('maxStallMs', { limit: 5, abortOnFail: true })).toBeNull();
  });

  it('should parse --budget expressions, with abortOnFail', () => {
    expect(parseBudgetFlag('longestStallMs{step:contract}<=500')).toEqual({ key: 'longestStallMs{step:contract}', value: 500 });
    expect(parseBudgetFlag('exclusiveHoldMs <= 2000, abortOnFail')).toEqual({ key: 'exclusiveHoldMs', value: { limit: 2000, abortOnFail: true } });
    expect(parseBudgetFlag('errorRate=0')).toEqual({ key: 'errorRate', value: 0 });
    expect(parseBudgetFlag('errorRate<0.1')).toMatchObject({ problem: expect.stringMatching(/must look like metric<=limit/) });
  });

  it('should let a later layer replace a budget on the same metric and scope, however it was spelled', () => {
    const specs = resolveBudgets([
      { from: 'default', budgets: { maxStallMs: 1000, maxErrorRate: 0.001 } },
      { from: 'scenario', budgets: { 'longestStallMs{step:contract}': 300, maxErrorRate: 0 } },
      { from: 'run', budgets: { longestStallMs: { limit: 500, abortOnFail: true } } },
    ]);
    expect(specs.map((s) => [s.name, s.limit, s.abortOnFail, s.from])).toEqual([
      ['longestStallMs', 500, true, 'run'],
      ['maxErrorRate', 0, false, 'scenario'],
      ['longestStallMs{step:contract}', 300, false, 'scenario'],
    ]);
    expect(mergeDeclarations({ maxStallMs: 1000, p99Ms: 9 }, { longestStallMs: 5 })).toEqual({ p99Ms: 9, longestStallMs: 5 });
  });
});
