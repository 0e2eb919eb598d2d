// Warm-up is measured but not counted: ground truth built by hand, then run through the same
// result builder a rehearsal uses.
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUDGETS, resolveBudgets } from './budgets.ts';
import { buildVariantResult, type VariantMeasurements } from './build-result.ts';
import type { CpuSample, RequestRecord } from './records.ts';
import type { VariantResult } from './schema.ts';
import { DEFAULT_STEADY_CRITERIA } from './steady-state.ts';
import { StepClock } from './windows.ts';

const RUN_START = 10_000;
const WARM_END = 15_000; // 5 s of warm-up
const RUN_END = 19_500;

const rec = (route: string, scheduledMs: number, endMs: number, outcome: RequestRecord['outcome'] = 'ok'): RequestRecord => ({
  route, target: 'app-1', scheduledMs, sentMs: scheduledMs, endMs, status: outcome === 'ok' ? 200 : 0, outcome,
});

/** Reads and writes every 10 ms from..to, answered in `latency(t)` ms. */
const flow = (from: number, to: number, latency: (t: number) => number, routes = ['read', 'write']): RequestRecord[] => {
  const out: RequestRecord[] = [];
  for (let t = from; t < to; t += 10) for (const r of routes) out.push(rec(r, t, t + latency(t)));
  return out;
};

const measure = (records: RequestRecord[], warmEnd: number, mode: 'auto' | 'off' = 'auto', cpu: VariantMeasurements['cpu'] = null): VariantResult => {
  const clock = new StepClock();
  clock.steps.push({ name: 'baseline', startMs: WARM_END, endMs: RUN_END - 500 });
  const m: VariantMeasurements = {
    runStartMs: RUN_START, runEndMs: RUN_END, records: records.sort((a, b) => a.endMs - b.endMs), lockSamples: [], poolSamples: [], clock,
    steps: [{ name: 'baseline', kind: 'pause', status: 'ok', startMs: WARM_END - RUN_START, endMs: RUN_END - 500 - RUN_START, durationMs: RUN_END - 500 - WARM_END, statements: [] }],
    budgets: resolveBudgets([{ from: 'default', budgets: { ...DEFAULT_BUDGETS } }]), interrupted: false, variant: 'v', plannedSteps: ['baseline'],
    warmup: { mode, endMs: warmEnd, settled: mode === 'off' ? null : true, criteria: DEFAULT_STEADY_CRITERIA },
    cpu,
  };
  return buildVariantResult(m, {
    schemaVersion: 2, scenario: 's', variant: 'v', description: '', startedAt: '', postgres: { provider: 'embedded', version: '18' },
    dataset: { description: '', seed: 1, tables: {} }, app: { name: 'a', initialVersion: 'old', settings: { poolSize: 10, statementTimeoutMs: null, lockTimeoutMs: null } },
    load: { model: 'open', rate: 200, connections: null, capacityRps: null, mix: {}, instances: 2, timeoutMs: 30_000 },
    events: [], observer: { intervalMs: 100, samples: 0, lockWaitResolutionMs: 20 }, migrationPid: null, notMeasured: [],
  });
};

/** A cold first second (400 ms), a 1.5 s write stall and 5 connection errors while warming up; then 5 ms. */
const coldStart = (): RequestRecord[] => [
  ...flow(RUN_START, RUN_START + 1000, () => 400, ['read']),
  ...flow(RUN_START + 1000, WARM_END, () => 5, ['read']),
  ...flow(RUN_START + 500, RUN_START + 2000, (t) => RUN_START + 2000 - t, ['write']), // held until 2 s
  ...flow(RUN_START + 2000, WARM_END, () => 5, ['write']),
  ...[0, 1, 2, 3, 4].map((k) => rec('read', RUN_START + 200 + k, RUN_START + 210 + k, 'error')),
  ...flow(WARM_END, RUN_END - 500, () => 5),
];

describe('warm-up is excluded from every statistic', () => {
  it('should keep warm-up out of the first step, the summary and the budgets', () => {
    const v = measure(coldStart(), WARM_END);
    const baseline = v.steps[0]!;
    expect(baseline.traffic!.p99Ms).toBe(5);
    expect(baseline.traffic!.requests).toBe(((RUN_END - 500 - WARM_END) / 10) * 2);
    expect(v.summary.maxLatencyMs).toBe(5);
    expect(v.summary.errorRate).toBe(0);
    expect(v.summary.requests).toBe(baseline.traffic!.requests);
    expect(v.summary.longestStallMs).toBeLessThan(100);
    expect(v.summary.budgets.every((b) => b.ok)).toBe(true);
    expect(v.summary.verdict).toBe('pass');
    expect(v.stalls.every((s) => s.startMs >= WARM_END - RUN_START)).toBe(true);
  });

  it('should still report what warm-up measured, and the steady state at its end', () => {
    const v = measure(coldStart(), WARM_END);
    expect(v.warmup).toMatchObject({ mode: 'auto', startMs: 0, endMs: 5000, durationMs: 5000, settled: true });
    expect(v.warmup!.traffic!.p99Ms).toBeGreaterThanOrEqual(400);
    expect(v.warmup!.traffic!.errors).toBe(5);
    expect(v.warmup!.longestStallMs).toBe(1500);
    expect(v.steadyState).toMatchObject({ fromMs: 2000, toMs: 5000, p99Ms: 5, requestsPerSec: 200, settled: true });
  });

  it('should count the same cold start against the first step when warm-up is off (what the issue reported)', () => {
    const v = measure(coldStart(), RUN_START, 'off');
    expect(v.summary.maxLatencyMs).toBe(1500);
    expect(v.summary.longestStallMs).toBe(1500);
    expect(v.summary.budgets.find((b) => b.name === 'maxStallMs')!.ok).toBe(false);
    expect(v.summary.budgets.find((b) => b.name === 'maxErrorRate')!.ok).toBe(false);
    expect(v.steadyState).toBeNull();
  });

  it('should count a stall that began in warm-up from the end of warm-up, attributed to the first step', () => {
    // Writes block from 14.6 s (in warm-up) until 16.2 s, 1.2 s into the first step; reads flow.
    const records = [
      ...flow(RUN_START, RUN_END - 500, () => 5, ['read']),
      ...flow(RUN_START, WARM_END - 400, () => 5, ['write']),
      ...flow(WARM_END - 400, 16_200, (t) => 16_200 - t, ['write']),
      ...flow(16_200, RUN_END - 500, () => 5, ['write']),
    ];
    const v = measure(records, WARM_END);
    const stall = v.summary.longestStall!;
    expect(stall).toMatchObject({ route: 'write', startMs: 5000, endMs: 6200, durationMs: 1200, step: 'baseline', beganInWarmup: true });
    expect(v.summary.budgets.find((b) => b.name === 'maxStallMs')).toMatchObject({ ok: false, actual: 1200 });
    // A request belongs to the window it was scheduled in: the 1.6 s waits of writes scheduled in
    // warm-up are not the first step's; the writes scheduled after it waited up to 1.2 s and are.
    expect(v.steps[0]!.traffic!.maxMs).toBe(1200);
    expect(v.warmup!.longestStallMs).toBe(400);
  });

  it('should count saturated seconds per step and note the ones after warm-up as about the machine', () => {
    // 2 cores; the machine is 95 % busy from 16 s to 18 s, 30 % otherwise; the harness uses 0.2 cores throughout.
    const samples: CpuSample[] = [];
    let busy = 0;
    let total = 0;
    let harness = 0;
    for (let t = RUN_START - 1000; t <= RUN_END + 250; t += 250) {
      samples.push({ t, machine: { busy, total }, components: { harness } });
      const share = t >= 16_000 && t < 18_000 ? 0.95 : 0.3;
      busy += 0.25 * 2 * share;
      total += 0.25 * 2;
      harness += 0.25 * 0.2;
    }
    const v = measure(flow(RUN_START, RUN_END - 500, () => 5), WARM_END, 'auto', {
      samples, components: [{ name: 'harness', kind: 'harness', label: 'harness' }], cores: 2, intervalMs: 250,
    });
    expect(v.cpu!.saturatedSeconds).toEqual([6, 7]);
    expect(v.cpu!.components[0]!.cores.every((c) => c !== null && Math.abs(c - 0.2) < 1e-6)).toBe(true);
    expect(v.cpu!.steadyState).toMatchObject({ machine: 0.6, harness: 0.2, saturatedSeconds: 0 });
    expect(v.steps[0]!.saturatedSeconds).toBe(2);
    expect(v.notMeasured.join('\n')).toMatch(/Latency in 2 s after warm-up \(t = 6–7 s\) is a statement about this machine/);
  });
});
