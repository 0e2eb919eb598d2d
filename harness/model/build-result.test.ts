// The result model joined by hand: a write route blocked for 1.9 s behind an ALTER, a read stall of
// 150 ms later on, lock samples of two waiters and pool samples of two instances. Every expected
// value below is worked out from these inputs, not read back from the code.
import { describe, expect, it } from 'vitest';
import { annotateSteps, attributedStalls, buildTimeline, buildVariantResult, lockWaitEvents, summarize, type VariantMeasurements } from './build-result.ts';
import type { LockSample, Outcome, RequestRecord, Waiter } from './records.ts';
import type { StepResult } from './schema.ts';
import { StepClock } from './windows.ts';
import { resolveBudgets } from './budgets.ts';
import { DEFAULT_STEADY_CRITERIA } from './steady-state.ts';

const ALTER = 'ALTER TABLE users ALTER COLUMN balance TYPE bigint';
const RUN_START = 1000;
const RUN_END = 9000;

const rec = (route: string, scheduledMs: number, endMs: number, outcome: Outcome = 'ok', extra: Partial<RequestRecord> = {}): RequestRecord => ({
  route, target: 'a', scheduledMs, sentMs: scheduledMs, endMs, status: outcome === 'ok' ? 200 : outcome === 'non2xx' ? 503 : 0, outcome, ...extra,
});

function records(): RequestRecord[] {
  const out: RequestRecord[] = [];
  // Writes every 100 ms, 10 ms each; those scheduled in [3000, 4900) wait for the ALTER to end at 4900.
  for (let t = 1000; t < 9000; t += 100) {
    if (t === 8000) out.push(rec('w', t, t + 10, 'non2xx', { sqlstate: '55P03' }));
    else out.push(rec('w', t, t >= 3000 && t < 4900 ? 4900 : t + 10));
  }
  // Reads every 100 ms, 5 ms each; one takes 150 ms at 6050 (the next read still completes at 6155), one fails at 8050.
  for (let t = 1050; t < 9000; t += 100) {
    if (t === 6050) out.push(rec('r', t, 6200));
    else if (t === 8050) out.push(rec('r', t, t + 10, 'error'));
    else out.push(rec('r', t, t + 5));
  }
  return out;
}

const waiter = (pid: number, blockers: number[], waitingMs: number | null, over: Partial<Waiter> = {}): Waiter => ({
  pid, application: `rehearse-app/app-${pid}/old`, mode: 'RowExclusiveLock', relation: 'users', blockers, waitingMs, query: `q${pid}`, ...over,
});

function lockSamples(): LockSample[] {
  const out: LockSample[] = [];
  for (let t = 1000; t < 9000; t += 100) {
    const waiters: Waiter[] = [];
    if (t >= 3100 && t <= 4800) waiters.push(waiter(11, [99], t - 3050));
    if (t >= 3500 && t <= 3700) waiters.push(waiter(12, t === 3500 ? [99] : [99, 11], null, { mode: 'AccessShareLock' }));
    if (t === 4500 || t === 4600) waiters.push(waiter(12, [99], t - 4480, { mode: 'AccessShareLock' }));
    if (t === 7000) waiters.push(waiter(13, [], 0, { mode: null, relation: null }));
    out.push({ t, waiters });
  }
  return out;
}

function clock(): StepClock {
  const c = new StepClock();
  c.steps.push({ name: 'baseline', startMs: 1000, endMs: 3000 }, { name: 'alter', startMs: 3000, endMs: 5000 }, { name: 'after', startMs: 5000, endMs: 9000 });
  c.statements.push({ name: ALTER, startMs: 3000, endMs: 4900 });
  return c;
}

const step = (name: string, startMs: number, endMs: number, status: StepResult['status'] = 'ok'): StepResult => ({
  name, kind: name === 'alter' ? 'sql' : 'pause', status, startMs, endMs, durationMs: endMs - startMs, statements: [],
});

const budgets = (b: { maxStallMs: number; maxErrorRate: number }) => resolveBudgets([{ from: 'run', budgets: b }]);

function measurements(over: Partial<VariantMeasurements> = {}): VariantMeasurements {
  return {
    runStartMs: RUN_START, runEndMs: RUN_END, records: records(), lockSamples: lockSamples(),
    warmup: { mode: 'off', endMs: RUN_START, settled: null, criteria: DEFAULT_STEADY_CRITERIA }, cpu: null,
    poolSamples: [
      { t: 1500, instance: 'a', poolWaiting: 3 },
      { t: 3500, instance: 'a', poolWaiting: 5 },
      { t: 3600, instance: 'b', poolWaiting: 2 },
      { t: 4200, instance: 'a', poolWaiting: 0 },
    ],
    clock: clock(),
    steps: [step('baseline', 0, 2000), step('alter', 2000, 4000), step('after', 4000, 8000)],
    budgets: budgets({ maxStallMs: 1000, maxErrorRate: 0.05 }),
    interrupted: false,
    variant: 'v',
    plannedSteps: ['baseline', 'alter', 'after'],
    ...over,
  };
}

describe('lockWaitEvents', () => {
  it('should merge consecutive samples of one backend into one event, with run-relative times and the union of blockers', () => {
    const events = lockWaitEvents(measurements());
    expect(events).toEqual([
      { pid: 11, application: 'rehearse-app/app-11/old', mode: 'RowExclusiveLock', relation: 'users', blockers: [99], firstSeenMs: 2100, lastSeenMs: 3800, waitStartMs: 2050, step: 'alter', statement: ALTER, query: 'q11' },
      { pid: 12, application: 'rehearse-app/app-12/old', mode: 'AccessShareLock', relation: 'users', blockers: [99, 11], firstSeenMs: 2500, lastSeenMs: 2700, waitStartMs: null, step: 'alter', statement: ALTER, query: 'q12' },
      // Not seen at 3800: the wait ended; seen again at 4500, it is a new wait.
      { pid: 12, application: 'rehearse-app/app-12/old', mode: 'AccessShareLock', relation: 'users', blockers: [99], firstSeenMs: 3500, lastSeenMs: 3600, waitStartMs: 3480, step: 'alter', statement: ALTER, query: 'q12' },
      // One sample, no mode known, while no statement ran.
      { pid: 13, application: 'rehearse-app/app-13/old', mode: 'unknown', relation: null, blockers: [], firstSeenMs: 6000, lastSeenMs: 6000, waitStartMs: 6000, step: 'after', statement: null, query: 'q13' },
    ]);
  });

  it('should tell apart waits of one backend on different relations or modes', () => {
    const samples: LockSample[] = [
      { t: 2000, waiters: [waiter(5, [1], 10), waiter(5, [1], 10, { relation: 'orders' })] },
      { t: 2100, waiters: [waiter(5, [1], 110, { mode: 'ShareLock' })] },
    ];
    const events = lockWaitEvents(measurements({ lockSamples: samples }));
    expect(events.map((e) => [e.relation, e.mode, e.firstSeenMs, e.lastSeenMs])).toEqual([
      ['users', 'RowExclusiveLock', 1000, 1000],
      ['orders', 'RowExclusiveLock', 1000, 1000],
      ['users', 'ShareLock', 1100, 1100],
    ]);
  });

  it('should attribute a wait by its wait start when known, not by the first sample that saw it', () => {
    // First seen at 3050 (in alter), but waiting since 2550 (in baseline) for 600 ms in all: baseline 450, alter 50+.
    const samples: LockSample[] = [{ t: 3050, waiters: [waiter(7, [1], 500)] }, { t: 3150, waiters: [waiter(7, [1], 600)] }];
    const c = new StepClock();
    c.steps.push({ name: 'baseline', startMs: 1000, endMs: 3000 }, { name: 'alter', startMs: 3000, endMs: null });
    const [e] = lockWaitEvents(measurements({ lockSamples: samples, clock: c }));
    expect(e).toMatchObject({ firstSeenMs: 2050, lastSeenMs: 2150, waitStartMs: 1550, step: 'baseline', statement: null });
  });
});

describe('attributedStalls', () => {
  it('should list the longest stall and every other of 100 ms or more, run-relative and attributed to step and statement', () => {
    expect(attributedStalls(measurements())).toEqual([
      { route: 'w', startMs: 2000, endMs: 3900, durationMs: 1900, step: 'alter', statement: ALTER },
      // The slow read (6050–6200) is answered-around at 6155 by the read sent at 6150: 105 ms without a response.
      { route: 'r', startMs: 5050, endMs: 5155, durationMs: 105, step: 'after', statement: null },
    ]);
  });

  it('should keep the longest stall however short it is, and nothing shorter than 100 ms besides', () => {
    const quiet = [rec('r', 1000, 1030), rec('r', 2000, 2020), rec('w', 3000, 3099)];
    expect(attributedStalls(measurements({ records: quiet }))).toEqual([{ route: 'w', startMs: 2000, endMs: 2099, durationMs: 99, step: 'alter', statement: ALTER }]);
    expect(attributedStalls(measurements({ records: [] }))).toEqual([]);
  });

  it('should keep a stall of exactly 100 ms in the list', () => {
    const two = [rec('r', 1000, 1500), rec('w', 6000, 6100)];
    expect(attributedStalls(measurements({ records: two })).map((s) => [s.route, s.durationMs])).toEqual([
      ['r', 500],
      ['w', 100],
    ]);
  });

  it('should round run-relative times to whole milliseconds', () => {
    const [s] = attributedStalls(measurements({ records: [rec('w', 3000.4, 3200.6)] }));
    expect(s).toMatchObject({ startMs: 2000, endMs: 2201, durationMs: 200 });
  });
});

describe('summarize', () => {
  it('should summarize the whole variant: longest stall, max latency, error rate, lock waiters, SQLSTATEs and budgets', () => {
    const m = measurements();
    const stalls = attributedStalls(m);
    const summary = summarize(m, stalls);
    expect(summary).toMatchObject({
      verdict: 'fail', // the 1.9 s stall is over the 1 s budget
      completed: true,
      longestStallMs: 1900,
      longestStall: stalls[0],
      maxLatencyMs: 1900,
      errorRate: 2 / 160, // one 503, one transport error
      maxLockWaiters: 2,
      requests: 160,
      errorsBySqlstate: { '55P03': 1 },
      failedStep: null,
      aborted: null,
    });
    expect(summary.budgets.map((b) => [b.name, b.limit, b.actual, b.ok])).toEqual([
      ['maxStallMs', 1000, 1900, false],
      ['maxErrorRate', 0.05, 2 / 160, true],
    ]);
  });

  it('should pass only a completed run within every budget', () => {
    const m = measurements({ budgets: budgets({ maxStallMs: 1900, maxErrorRate: 2 / 160 }) });
    expect(summarize(m, attributedStalls(m))).toMatchObject({ verdict: 'pass', completed: true });
    const interrupted = { ...m, interrupted: true };
    expect(summarize(interrupted, attributedStalls(m))).toMatchObject({ verdict: 'fail', completed: false, failedStep: null });
    const failed = { ...m, steps: [step('baseline', 0, 2000), step('alter', 2000, 4000, 'failed'), step('after', 4000, 4000, 'skipped')] };
    expect(summarize(failed, attributedStalls(m))).toMatchObject({ verdict: 'fail', completed: false, failedStep: 'alter' });
  });

  it('should take the longest of the stalls it is given, and 0 with none', () => {
    const m = measurements();
    const stalls = attributedStalls(m);
    expect(summarize(m, [stalls[1]!, stalls[0]!]).longestStall).toBe(stalls[0]);
    expect(summarize(m, [])).toMatchObject({ longestStallMs: 0, longestStall: null });
    // Of equally long stalls, the first listed (attributedStalls lists the true longest first).
    const tie = { ...stalls[1]!, durationMs: stalls[0]!.durationMs };
    expect(summarize(m, [stalls[0]!, tie]).longestStall).toBe(stalls[0]);
  });
});

describe('buildTimeline', () => {
  it('should add the most lock waiters seen in each second and the summed pool waiting of all instances', () => {
    const t = buildTimeline(measurements());
    expect(t).toHaveLength(8);
    expect(t.map((p) => p.lockWaiters)).toEqual([0, 0, 2, 2, 0, 0, 1, 0]);
    // a=3 at 1.5 s; a=5 then b=2 at 3.5/3.6 s (5+2); a=0 at 4.2 s while b still waits 2.
    expect(t.map((p) => p.poolWaiting)).toEqual([3, null, 7, 2, null, null, null, null]);
    expect(t.map((p) => p.step)).toEqual(['baseline', 'baseline', 'alter', 'alter', 'after', 'after', 'after', 'after']);
  });
});

describe('buildTimeline edges', () => {
  it('should ignore samples outside the run and order pool samples by time', () => {
    const t = buildTimeline(measurements({
      lockSamples: [{ t: 500, waiters: [waiter(1, [2], 0)] }, { t: 9500, waiters: [waiter(1, [2], 0)] }],
      poolSamples: [{ t: 2500, instance: 'a', poolWaiting: 1 }, { t: 2200, instance: 'a', poolWaiting: 9 }, { t: 9500, instance: 'a', poolWaiting: 50 }, { t: 100, instance: 'b', poolWaiting: 4 }],
    }));
    expect(t.map((p) => p.lockWaiters)).toEqual([null, null, null, null, null, null, null, null]);
    // b's 4 (before the run) still counts for a; a's 9 at 2.2 s then 1 at 2.5 s: max of the sums is 13.
    expect(t.map((p) => p.poolWaiting)).toEqual([null, 13, null, null, null, null, null, null]);
  });
});

describe('annotateSteps', () => {
  it('should give each step the traffic scheduled while it ran and its most lock waiters', () => {
    const [baseline, alter, after] = annotateSteps(measurements());
    expect(baseline!.traffic).toMatchObject({ requests: 40, maxMs: 10, errorRate: 0 });
    expect(baseline!.maxLockWaiters).toBe(0);
    expect(alter!.traffic).toMatchObject({ requests: 40, maxMs: 1900, errorRate: 0 });
    expect(alter!.maxLockWaiters).toBe(2);
    expect(after!.traffic).toMatchObject({ requests: 80, maxMs: 150, errors: 1, non2xx: 1, errorRate: 2 / 80 });
    expect(after!.maxLockWaiters).toBe(1);
  });

  it('should count a lock sample at a step boundary in the step that starts there', () => {
    const samples: LockSample[] = [{ t: 3000, waiters: [waiter(1, [2], 0), waiter(3, [2], 0)] }, { t: 5000, waiters: [waiter(1, [2], 0)] }];
    const [baseline, alter, after] = annotateSteps(measurements({ lockSamples: samples }));
    expect([baseline!.maxLockWaiters, alter!.maxLockWaiters, after!.maxLockWaiters]).toEqual([0, 2, 1]);
  });
});

describe('buildVariantResult', () => {
  it('should join everything into one result whose summary agrees with its stalls', () => {
    const meta = { schemaVersion: 2, scenario: 's', variant: 'v', events: [], notMeasured: [] } as unknown as Parameters<typeof buildVariantResult>[1];
    const r = buildVariantResult(measurements(), meta);
    expect(r.durationMs).toBe(8000);
    expect(r.summary.longestStall).toEqual(r.stalls[0]);
    expect(r.lockWaits).toHaveLength(4);
    expect(r.timeline).toHaveLength(8);
    expect(r.steps.map((s) => s.traffic?.requests)).toEqual([40, 40, 80]);
    expect(r).toMatchObject({ scenario: 's', variant: 'v' });
  });
});
