// The detectors proven against ground truth: a step holds ACCESS EXCLUSIVE on users for a
// known 2 s under load. It must show up as ≈2 s of blocked traffic, pinned to that step and
// statement, with the blocked backends attributed to it and blocked by the migration's own pid.
// Bounds are two-sided: ±20 % of the known hold, wide enough for a shared, noisy 2-core machine.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunReport, VariantResult } from '../model/schema.ts';
import { rehearseForTest } from '../testing/run-for-test.ts';

const scenario = fileURLToPath(new URL('../../scenarios/testing/hold-lock.ts', import.meta.url));
const HOLD_MS = 2000;
const LOW = HOLD_MS * 0.8;
const HIGH = HOLD_MS * 1.2;
// A request's latency is the hold plus its wait for a pool connection while the app serves the
// backlog that piled up behind the lock: allow a second for that drain on a busy machine.
const HIGH_WITH_BACKLOG = HOLD_MS + 1000;
let report: RunReport;
let v: VariantResult;
let paths: { json: string; html: string };

beforeAll(async () => {
  ({ report, paths } = await rehearseForTest(scenario, { rows: 20_000, rate: 200, variants: ['hold'] }));
  v = report.variants[0]!;
});

describe('ground truth: ACCESS EXCLUSIVE held for 2 s', () => {
  it('should report a stall of 2 s ± 20 % attributed to the step and the sleeping statement', () => {
    expect(v.summary.longestStallMs).toBeGreaterThanOrEqual(LOW);
    expect(v.summary.longestStallMs).toBeLessThanOrEqual(HIGH);
    expect(v.summary.longestStall).toMatchObject({ step: 'hold-lock', statement: 'SELECT pg_sleep(2)' });
    expect(v.summary.verdict).toBe('fail'); // over the 1 s budget
    expect(v.summary.budgets.find((b) => b.name === 'maxStallMs')).toMatchObject({ ok: false, limit: 1000, actual: v.summary.longestStallMs });
  });

  it('should report a stall of every route that touches users, each about as long as the hold', () => {
    const routes = Object.keys(v.load.mix);
    const byRoute = new Map<string, number>();
    for (const s of v.stalls) byRoute.set(s.route, Math.max(byRoute.get(s.route) ?? 0, s.durationMs));
    // Every route reads users, writes it, FK-checks it, or waits for a pool connection held by one that
    // does (the pool fills in milliseconds at this rate): each one stalled for the hold, not more.
    for (const route of routes) {
      expect(byRoute.get(route), route).toBeGreaterThanOrEqual(LOW);
      expect(byRoute.get(route), route).toBeLessThanOrEqual(HIGH);
    }
    // Outside the hold no stall comes anywhere near it.
    const outside = v.stalls.filter((s) => s.step !== 'hold-lock');
    expect(Math.max(0, ...outside.map((s) => s.durationMs))).toBeLessThan(LOW / 2);
  });

  it('should report the longest request as about the hold', () => {
    expect(v.summary.maxLatencyMs).toBeGreaterThanOrEqual(LOW);
    expect(v.summary.maxLatencyMs).toBeLessThanOrEqual(HIGH_WITH_BACKLOG);
    const step = v.steps.find((s) => s.name === 'hold-lock')!;
    expect(step.traffic!.maxMs).toBeGreaterThanOrEqual(LOW);
    expect(step.traffic!.maxMs).toBeLessThanOrEqual(HIGH_WITH_BACKLOG);
  });

  it('should attribute the blocked app backends to the step and statement, blocked by the migration session', () => {
    expect(v.migrationPid).toEqual(expect.any(Number));
    const waits = v.lockWaits.filter((w) => w.application.startsWith('rehearse-app/') && w.relation === 'users');
    expect(waits.length).toBeGreaterThan(0);
    for (const w of waits) {
      expect(w.step).toBe('hold-lock');
      expect(w.statement).toBe('SELECT pg_sleep(2)');
      expect(w.blockers).toContain(v.migrationPid);
      // Anything else in the queue is another app backend, never the harness's own sessions.
      expect(w.blockers.filter((b) => b !== v.migrationPid).every((b) => waits.some((x) => x.pid === b))).toBe(true);
    }
    const longest = Math.max(...waits.map((w) => w.lastSeenMs - (w.waitStartMs ?? w.firstSeenMs)));
    // A sample sees a waiter at most one interval before it is released.
    expect(longest).toBeGreaterThanOrEqual(LOW - v.observer.intervalMs);
    expect(longest).toBeLessThanOrEqual(HIGH);
    const step = v.steps.find((s) => s.name === 'hold-lock')!;
    // At most every connection of every app pool waits: 2 instances × pool 10.
    const maxWaiters = v.app.settings.poolSize * v.load.instances;
    expect(v.summary.maxLockWaiters).toBeGreaterThan(0);
    expect(v.summary.maxLockWaiters).toBeLessThanOrEqual(maxWaiters);
    expect(step.maxLockWaiters).toBe(v.summary.maxLockWaiters);
    expect(step.statements[0]!.locks).toContainEqual(expect.objectContaining({ mode: 'AccessExclusiveLock', relation: 'users' }));
    // No one waited on users outside the hold.
    expect(v.lockWaits.filter((w) => w.relation === 'users' && w.step !== 'hold-lock')).toEqual([]);
  });

  it('should show the stall in the timeline while it happens', () => {
    // The hold spans a whole second boundary at least 1 s into it, and ends within HIGH.
    const during = v.timeline.filter((p) => p.step === 'hold-lock' || v.timeline[p.t - 1]?.step === 'hold-lock');
    const oldest = Math.max(...during.map((p) => p.oldestInFlightMs));
    expect(oldest).toBeGreaterThanOrEqual(HOLD_MS / 2 - 100);
    expect(oldest).toBeLessThanOrEqual(HIGH_WITH_BACKLOG);
    expect(Math.max(...v.timeline.map((p) => p.lockWaiters ?? 0))).toBeGreaterThan(0);
    // Seconds that ended before the hold began saw no such wait.
    const holdStart = v.steps.find((s) => s.name === 'hold-lock')!.startMs;
    expect(Math.max(...v.timeline.filter((p) => (p.t + 1) * 1000 <= holdStart).map((p) => p.oldestInFlightMs))).toBeLessThan(LOW / 2);
  });

  it('should write report.json and report.html', () => {
    expect(existsSync(paths.json)).toBe(true);
    expect(existsSync(paths.html)).toBe(true);
    expect(report.schemaVersion).toBe(2);
  });
});
