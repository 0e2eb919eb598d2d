import { describe, expect, it } from 'vitest';
import type { RequestRecord } from './records.ts';
import type { SteadyState, VariantResult } from './schema.ts';
import { DEFAULT_STEADY_CRITERIA as C, compareBaselines, isSteady, recentSecondP99s, steadyStateOf } from './steady-state.ts';

const req = (scheduledMs: number, latencyMs: number, outcome: RequestRecord['outcome'] = 'ok'): RequestRecord => ({
  route: 'r', target: 'a', scheduledMs, sentMs: scheduledMs, endMs: scheduledMs + latencyMs, status: outcome === 'ok' ? 200 : 0, outcome,
});

/** 100 requests a second for `seconds` seconds from `from`, each with the latency latencyAt(second) gives. */
const traffic = (from: number, seconds: number, latencyAt: (s: number) => number): RequestRecord[] => {
  const out: RequestRecord[] = [];
  for (let s = 0; s < seconds; s++) for (let k = 0; k < 100; k++) out.push(req(from + s * 1000 + k * 10, latencyAt(s)));
  return out.sort((a, b) => a.endMs - b.endMs); // the load driver records in completion order
};

describe('per-second p99 while warming up', () => {
  it('should bucket requests by the second they were scheduled in, newest last', () => {
    const records = traffic(0, 5, (s) => [300, 40, 9, 8, 7][s]!);
    expect(recentSecondP99s(records, 5000, 3)).toEqual([9, 8, 7]);
    expect(recentSecondP99s(records, 2000, 2)).toEqual([300, 40]);
  });

  it('should give null for a second in which no request was answered', () => {
    const records = traffic(0, 2, () => 5);
    expect(recentSecondP99s(records, 4000, 3)).toEqual([5, null, null]);
  });

  it('should leave refused (dropped) arrivals out of latency', () => {
    const records = [...traffic(0, 1, () => 5), req(500, 0, 'dropped')];
    expect(recentSecondP99s(records, 1000, 1)).toEqual([5]);
  });
});

describe('when latency counts as steady', () => {
  it('should not call a cold start steady, nor a steadily improving app', () => {
    expect(isSteady([343, 12, 9], 0, C)).toBe(false);
    expect(isSteady([100, 60, 30], 0, C)).toBe(false);
  });

  it('should call small jitter steady, in ratio or in milliseconds', () => {
    expect(isSteady([12, 20, 15], 0, C)).toBe(true); // within 2×
    expect(isSteady([3, 9, 4], 0, C)).toBe(true); // 3× but only 6 ms apart
    expect(isSteady([180, 280, 170], 0, C)).toBe(true); // slow but flat: steady (the CPU check says why it is slow)
  });

  it('should not call a window steady while a request is stuck in flight, or with a second unanswered', () => {
    expect(isSteady([5, 6, 5], 800, C)).toBe(false);
    expect(isSteady([5, null, 5], 0, C)).toBe(false);
    expect(isSteady([5, 6], 0, C)).toBe(false); // shorter than the window
  });

  it('should report the steady state run-relative with the rate of 2xx answers', () => {
    const records = [...traffic(1000, 3, () => 8), req(2500, 4, 'non2xx')];
    const ss = steadyStateOf(records, 1000, 4000, 1000, true);
    expect(ss).toMatchObject({ fromMs: 0, toMs: 3000, requestsPerSec: 100, p99Ms: 8, settled: true });
  });
});

describe('comparing variants by their steady states', () => {
  const v = (variant: string, ss: Partial<SteadyState> | null): Pick<VariantResult, 'variant' | 'steadyState' | 'warmup'> => ({
    variant,
    steadyState: ss ? { fromMs: 0, toMs: 3000, requestsPerSec: 245, p50Ms: 3, p99Ms: 9, settled: true, ...ss } : null,
    warmup: null,
  });

  it('should call close baselines comparable', () => {
    expect(compareBaselines([v('naive', { p99Ms: 9 }), v('safe', { p99Ms: 15, requestsPerSec: 240 })])).toMatchObject({ comparable: true, reasons: [] });
  });

  it('should call the comparison unreliable when p99 is more than 2× and 10 ms apart (the issue: 271 vs 14 ms)', () => {
    const b = compareBaselines([v('naive', { p99Ms: 271 }), v('expand-contract', { p99Ms: 14 })]);
    expect(b.comparable).toBe(false);
    expect(b.reasons.join()).toMatch(/naive 271 ms vs expand-contract 14 ms/);
  });

  it('should call it unreliable when one variant served 10 % less of the same load', () => {
    const b = compareBaselines([v('a', { requestsPerSec: 245 }), v('b', { requestsPerSec: 200 })]);
    expect(b.comparable).toBe(false);
    expect(b.reasons.join()).toMatch(/rate differs/);
  });

  it('should call it unreliable when a variant never settled, and uncheckable without a steady state', () => {
    expect(compareBaselines([v('a', {}), v('b', { settled: false })]).comparable).toBe(false);
    const none = compareBaselines([v('a', {}), v('b', null)]);
    expect(none.comparable).toBeNull();
    expect(none.reasons).toEqual(['b has no steady state (not measured)']);
    expect(compareBaselines([v('a', {})]).comparable).toBeNull();
  });
});
