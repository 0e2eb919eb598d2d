import { describe, expect, it } from 'vitest';
import { buildSeries, driverQueueing, errorsBySqlstate, findStalls, summarizeTraffic } from './traffic.ts';
import type { Outcome, RequestRecord } from './records.ts';

const rec = (route: string, scheduledMs: number, endMs: number, outcome: Outcome = 'ok', extra: Partial<RequestRecord> = {}): RequestRecord => ({
  route,
  target: outcome === 'dropped' ? null : 'a',
  scheduledMs,
  sentMs: outcome === 'dropped' ? endMs : scheduledMs,
  endMs,
  status: outcome === 'ok' ? 200 : outcome === 'non2xx' ? 503 : 0,
  outcome,
  ...extra,
});

describe('buildSeries', () => {
  const records: RequestRecord[] = [
    rec('r', 1100, 1150),
    rec('r', 1200, 1400, 'ok', { sentMs: 1300 }), // dispatched 100 ms late
    rec('w', 1500, 3500), // blocked 2 s: in flight across two second boundaries
    rec('r', 2100, 2100, 'dropped'),
    rec('w', 2200, 2500, 'timeout'),
    rec('r', 2300, 2310, 'error'),
    rec('w', 2400, 2450, 'non2xx', { sqlstate: '55P03' }),
    rec('w', 3200, 4000, 'unfinished'), // still blocked at the end of the run
  ];
  const series = buildSeries(records, { startMs: 1000, endMs: 4000, stepAt: (ms) => (ms < 2000 ? 'warmup' : 'migrate') });

  it('puts scheduled, late and dropped in the second they were scheduled', () => {
    expect(series.map((p) => p.scheduled)).toEqual([3, 4, 1]);
    expect(series.map((p) => p.lateStarts)).toEqual([1, 0, 0]);
    expect(series.map((p) => p.dropped)).toEqual([0, 1, 0]);
  });

  it('puts responses, errors and timeouts in the second they ended', () => {
    expect(series.map((p) => p.completed)).toEqual([2, 1, 1]);
    expect(series.map((p) => p.ok)).toEqual([2, 0, 1]);
    expect(series.map((p) => p.non2xx)).toEqual([0, 1, 0]);
    expect(series.map((p) => p.errors)).toEqual([0, 1, 0]);
    expect(series.map((p) => p.timeouts)).toEqual([0, 1, 0]);
  });

  it('shows a slow request as latency from its scheduled start in the second it completed', () => {
    expect(series[0].maxMs).toBe(200); // the late one: 1400 - 1200, not 1400 - 1300
    expect(series[2].maxMs).toBe(2000);
    // The request still blocked at the end (800 ms so far) counts with its true duration.
    expect(series[2].p50Ms).toBe(800);
    expect(series[1].maxMs).toBe(300); // the timeout
  });

  it('shows in-flight requests at the end of each second, while they are blocked', () => {
    expect(series.map((p) => p.inFlight)).toEqual([1, 1, 1]);
    expect(series.map((p) => p.oldestInFlightMs)).toEqual([500, 1500, 800]);
  });

  it('fills t and step and leaves the observer fields null', () => {
    expect(series.map((p) => [p.t, p.step])).toEqual([
      [0, 'warmup'],
      [1, 'migrate'],
      [2, 'migrate'],
    ]);
    expect(series.every((p) => p.poolWaiting === null && p.lockWaiters === null)).toBe(true);
  });

  it('reports null percentiles for a second in which nothing ended', () => {
    const quiet = buildSeries([rec('w', 100, 2500)], { startMs: 0, endMs: 3000, stepAt: () => null });
    expect(quiet[0]).toMatchObject({ completed: 0, p50Ms: null, p99Ms: null, maxMs: null, inFlight: 1, oldestInFlightMs: 900 });
    expect(quiet[2]).toMatchObject({ completed: 1, maxMs: 2400, inFlight: 0, oldestInFlightMs: 0 });
  });

  it('computes percentiles per second', () => {
    const many = Array.from({ length: 100 }, (_, i) => rec('r', 0, i + 1)); // latencies 1..100 ms
    const [p] = buildSeries(many, { startMs: 0, endMs: 1000, stepAt: () => null });
    expect(p).toMatchObject({ completed: 100, p50Ms: 50, p95Ms: 95, p99Ms: 99, maxMs: 100 });
  });

  it('takes the last, partial second at the run end and counts unfinished requests there', () => {
    const s = buildSeries([rec('w', 200, 2500, 'unfinished')], { startMs: 0, endMs: 2500, stepAt: () => null });
    expect(s).toHaveLength(3);
    expect(s[2]).toMatchObject({ inFlight: 1, oldestInFlightMs: 2300 });
  });

  it('counts an arrival as in flight from its schedule, even when the driver sent it late', () => {
    // Scheduled at 900, sent at 1400 (the driver was blocked): the user was waiting at 1000.
    const s = buildSeries([rec('r', 900, 1450, 'ok', { sentMs: 1400 })], { startMs: 0, endMs: 2000, stepAt: () => null });
    expect(s[0]).toMatchObject({ inFlight: 1, oldestInFlightMs: 100, lateStarts: 1, scheduled: 1 });
    expect(s[1]).toMatchObject({ inFlight: 0, completed: 1, maxMs: 550 });
  });

  it('counts a dispatch as late only beyond the threshold, which the caller may set', () => {
    const recs = [rec('r', 100, 200, 'ok', { sentMs: 150 }), rec('r', 300, 400, 'ok', { sentMs: 351 })];
    expect(buildSeries(recs, { startMs: 0, endMs: 1000, stepAt: () => null })[0]!.lateStarts).toBe(1);
    expect(buildSeries(recs, { startMs: 0, endMs: 1000, stepAt: () => null, lateThresholdMs: 49 })[0]!.lateStarts).toBe(2);
    expect(buildSeries(recs, { startMs: 0, endMs: 1000, stepAt: () => null, lateThresholdMs: 51 })[0]!.lateStarts).toBe(0);
  });

  it('leaves out requests scheduled or ended outside the run, and puts one ending at the run end in the last second', () => {
    const recs = [rec('r', -500, -400), rec('r', 2500, 2600), rec('r', 1500, 2000), rec('r', 1900, 2001)];
    const s = buildSeries(recs, { startMs: 0, endMs: 2000, stepAt: () => null });
    expect(s.map((p) => p.scheduled)).toEqual([0, 2]);
    expect(s.map((p) => p.completed)).toEqual([0, 1]);
    expect(s[1]).toMatchObject({ maxMs: 500, inFlight: 1, oldestInFlightMs: 100 });
  });

  it('finds the oldest in-flight request among many, whatever order they come in', () => {
    // Requests in flight over the end of second 0, scheduled in scrambled order; the oldest is at 37.
    const starts = [500, 37, 800, 120, 999, 64, 300, 451, 700, 38];
    const recs = starts.map((t) => rec('w', t, 1500 + t));
    const [p0, p1] = buildSeries(recs, { startMs: 0, endMs: 3000, stepAt: () => null });
    expect(p0).toMatchObject({ inFlight: 10, oldestInFlightMs: 1000 - 37 });
    // At 2000 only those ending after it are left (2200, 2300, 2499; the one ending at 2000 is done): 700 is the oldest.
    expect(p1).toMatchObject({ inFlight: 3, oldestInFlightMs: 2000 - 700 });
  });

  it('lets the caller override in-flight per point', () => {
    const s = buildSeries(records, {
      startMs: 1000,
      endMs: 4000,
      stepAt: () => null,
      inFlightAt: (ms) => (ms === 3000 ? { inFlight: 7, oldestInFlightMs: 42 } : null),
    });
    expect(s.map((p) => p.inFlight)).toEqual([1, 7, 1]);
  });
});

describe('findStalls', () => {
  it('reports a write stall while reads keep completing', () => {
    const reads = Array.from({ length: 40 }, (_, i) => rec('read', 1000 + i * 50, 1000 + i * 50 + 5));
    const writes = [rec('write', 1000, 1010), rec('write', 1100, 2600), rec('write', 1200, 2600), rec('write', 2700, 2710)];
    const stalls = findStalls([...reads, ...writes], { endMs: 3000 });
    expect(stalls).toEqual([{ route: 'write', startMs: 1100, endMs: 2600, durationMs: 1500, step: null, statement: null }]);
  });

  it('does not end a stall at a timeout while another request of the route is still waiting', () => {
    const stalls = findStalls([rec('x', 0, 1000, 'timeout'), rec('x', 500, 1500)], { endMs: 2000 });
    expect(stalls.map((s) => [s.startMs, s.endMs])).toEqual([[0, 1500]]);
  });

  it('does not split a stall when a timeout and a new send happen at the same instant', () => {
    const stalls = findStalls([rec('x', 2000, 3000, 'timeout'), rec('x', 3000, 3400)], { endMs: 4000 });
    expect(stalls.map((s) => [s.startMs, s.endMs])).toEqual([[2000, 3400]]);
  });

  it('ends a stall when nothing of the route is in flight any more', () => {
    const stalls = findStalls([rec('x', 0, 600, 'error'), rec('x', 1000, 1300)], { endMs: 2000 });
    expect(stalls.map((s) => [s.startMs, s.endMs])).toEqual([
      [0, 600],
      [1000, 1300],
    ]);
  });

  it('starts a new window at each response while others are still in flight', () => {
    const stalls = findStalls([rec('y', 0, 500), rec('y', 100, 1300)], { endMs: 2000 });
    expect(stalls.map((s) => [s.startMs, s.endMs])).toEqual([
      [500, 1300],
      [0, 500],
    ]);
  });

  it('starts a stall at the scheduled arrival of a request the driver sent late', () => {
    // Answered at 100; the next arrival is due at 150 but sent only at 650 (driver blocked), answered at 655.
    const stalls = findStalls([rec('x', 0, 100), rec('x', 150, 655, 'ok', { sentMs: 650 })], { endMs: 1000 });
    expect(stalls).toEqual([{ route: 'x', startMs: 150, endMs: 655, durationMs: 505, step: null, statement: null }]);
  });

  it('leaves out requests scheduled after the run end', () => {
    expect(findStalls([rec('x', 1200, 1300)], { endMs: 1000, minMs: 1 })).toEqual([]);
    expect(findStalls([rec('x', 900, 1300)], { endMs: 1000, minMs: 1 })).toEqual([{ route: 'x', startMs: 900, endMs: 1000, durationMs: 100, step: null, statement: null }]);
  });

  it('uses 200 ms as the shortest stall unless told otherwise', () => {
    expect(findStalls([rec('x', 0, 199)], { endMs: 1000 })).toEqual([]);
    expect(findStalls([rec('x', 0, 200)], { endMs: 1000 }).map((s) => s.durationMs)).toEqual([200]);
  });

  it('treats unfinished requests as in flight until the run end', () => {
    const stalls = findStalls([rec('u', 5000, 6000, 'unfinished'), rec('u', 5500, 5600, 'dropped')], { endMs: 6000 });
    expect(stalls).toEqual([{ route: 'u', startMs: 5000, endMs: 6000, durationMs: 1000, step: null, statement: null }]);
  });

  it('ignores windows shorter than minMs and sorts the rest longest first', () => {
    const records = [rec('a', 0, 150), rec('b', 0, 300), rec('c', 0, 900)];
    expect(findStalls(records, { endMs: 1000 }).map((s) => s.route)).toEqual(['c', 'b']);
    expect(findStalls(records, { endMs: 1000, minMs: 100 }).map((s) => s.route)).toEqual(['c', 'b', 'a']);
  });
});

describe('summarizeTraffic', () => {
  it('summarizes requests scheduled in the window, counts failures in errorRate and unfinished ones in latency', () => {
    const records = [
      rec('r', 50, 60), // before the window
      rec('r', 100, 110),
      rec('r', 200, 230),
      rec('r', 300, 1300), // scheduled inside, ended after: still counted
      rec('w', 400, 450, 'non2xx'),
      rec('w', 500, 520, 'error'),
      rec('w', 600, 900, 'timeout'),
      rec('w', 700, 2000, 'unfinished'),
      rec('w', 800, 800, 'dropped'),
      rec('r', 1000, 1010), // at toMs: outside
    ];
    const s = summarizeTraffic(records, 100, 1000);
    expect(s).toMatchObject({ requests: 8, completed: 4, non2xx: 1, errors: 1, timeouts: 1, unfinished: 1, dropped: 1 });
    expect(s.errorRate).toBe(4 / 8); // non2xx, error, timeout, dropped; unfinished had no answer yet
    expect(s.maxMs).toBe(1300); // the one still blocked at the end, with its true duration
    expect(s.p50Ms).toBe(50);
  });

  it('returns zeros and null percentiles for an empty window', () => {
    expect(summarizeTraffic([], 0, 1000)).toMatchObject({ requests: 0, errorRate: 0, p50Ms: null, maxMs: null });
  });
});

describe('errorsBySqlstate', () => {
  it('counts requests per SQLSTATE', () => {
    const records = [
      rec('w', 0, 1, 'non2xx', { sqlstate: '55P03' }),
      rec('w', 0, 1, 'non2xx', { sqlstate: '55P03' }),
      rec('w', 0, 1, 'non2xx', { sqlstate: '57014' }),
      rec('w', 0, 1, 'non2xx'),
      rec('r', 0, 1),
    ];
    expect(errorsBySqlstate(records)).toEqual({ '55P03': 2, '57014': 1 });
  });
});

describe('driverQueueing', () => {
  it('counts open-model requests that waited for a free driver connection', () => {
    const records = [
      rec('r', 0, 10, 'ok', { wireMs: 1 }),
      rec('r', 0, 200, 'ok', { wireMs: 120 }), // queued 120 ms in the driver
      rec('r', 0, 900, 'unfinished', { wireMs: null }), // never got a connection
      rec('r', 0, 5, 'error', { wireMs: null }), // connection refused: not queueing
      rec('r', 0, 10), // closed model: no wireMs
    ];
    expect(driverQueueing(records)).toBe(2);
  });

  it('counts only waits beyond the threshold, which the caller may set', () => {
    const records = [rec('r', 0, 100, 'ok', { wireMs: 50 }), rec('r', 0, 100, 'ok', { wireMs: 51 }), rec('r', 0, 50, 'unfinished', { wireMs: null }), rec('r', 0, 51, 'timeout', { wireMs: null })];
    expect(driverQueueing(records)).toBe(2);
    expect(driverQueueing(records, 10)).toBe(4);
    expect(driverQueueing(records, 51)).toBe(0);
    expect(driverQueueing([rec('r', 0, 0, 'dropped', { wireMs: null })], 0)).toBe(0);
  });
});
