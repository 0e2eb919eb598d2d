// The detectors proven against ground truth: a step holds ACCESS EXCLUSIVE on users for a
// known 2 s under load. It must show up as ≈2 s of blocked traffic, pinned to that step and
// statement, with the blocked backends attributed to it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../model/schema.ts';
import { rehearseForTest } from '../testing/run-for-test.ts';

const scenario = fileURLToPath(new URL('../../scenarios/testing/hold-lock.ts', import.meta.url));
let report: RunReport;
let paths: { json: string; html: string };

beforeAll(async () => {
  ({ report, paths } = await rehearseForTest(scenario, { rows: 20_000, rate: 200, variants: ['hold'] }));
});

describe('ground truth: ACCESS EXCLUSIVE held for 2 s', () => {
  it('should report a stall of 2 s ± 20 % attributed to the step and the sleeping statement', () => {
    const v = report.variants[0]!;
    expect(v.summary.longestStallMs).toBeGreaterThanOrEqual(1600);
    expect(v.summary.longestStallMs).toBeLessThanOrEqual(2400);
    expect(v.summary.longestStall).toMatchObject({ step: 'hold-lock', statement: 'SELECT pg_sleep(2)' });
    expect(v.summary.verdict).toBe('fail'); // over the 1 s budget
  });

  it('should report the longest request as at least about 2 s', () => {
    expect(report.variants[0]!.summary.maxLatencyMs).toBeGreaterThanOrEqual(1800);
  });

  it('should attribute the blocked app backends to the step and statement, blocked by the migration', () => {
    const v = report.variants[0]!;
    const waits = v.lockWaits.filter((w) => w.application.startsWith('rehearse-app/') && w.relation === 'users');
    expect(waits.length).toBeGreaterThan(0);
    for (const w of waits) {
      expect(w.step).toBe('hold-lock');
      expect(w.statement).toBe('SELECT pg_sleep(2)');
      expect(w.blockers.length).toBeGreaterThan(0);
    }
    const longest = Math.max(...waits.map((w) => w.lastSeenMs - (w.waitStartMs ?? w.firstSeenMs)));
    expect(longest).toBeGreaterThan(1500);
    expect(v.summary.maxLockWaiters).toBeGreaterThan(0);
    const step = v.steps.find((s) => s.name === 'hold-lock')!;
    expect(step.maxLockWaiters).toBeGreaterThan(0);
    expect(step.statements[0]!.locks).toContainEqual(expect.objectContaining({ mode: 'AccessExclusiveLock', relation: 'users' }));
  });

  it('should show the stall in the timeline while it happens', () => {
    const v = report.variants[0]!;
    const during = v.timeline.filter((p) => p.step === 'hold-lock');
    expect(Math.max(...during.map((p) => p.oldestInFlightMs))).toBeGreaterThan(700);
    expect(Math.max(...v.timeline.map((p) => p.lockWaiters ?? 0))).toBeGreaterThan(0);
  });

  it('should write report.json and report.html', () => {
    expect(existsSync(paths.json)).toBe(true);
    expect(existsSync(paths.html)).toBe(true);
    expect(report.schemaVersion).toBe(2);
  });
});
