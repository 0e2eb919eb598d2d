import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareReports, DEFAULT_TOLERANCES, judge, parseTolerance, pickBaseline } from './compare.ts';
import type { RunReport } from './schema.ts';
import { upgradeReport } from './upgrade-report.ts';

const RAW = readFileSync(new URL('../report/fixtures/v2-hold-lock.report.json', import.meta.url), 'utf8');
const fixture = (): RunReport => (upgradeReport(JSON.parse(RAW)) as { report: RunReport }).report;

describe('judge', () => {
  it('should call a change a regression only beyond both the absolute and the relative tolerance', () => {
    const t = { abs: 500, rel: 0.5 };
    expect(judge(200, 650, t)).toBe('same'); // +450 ms: under the absolute tolerance
    expect(judge(2000, 2900, t)).toBe('same'); // +45 %: under the relative one
    expect(judge(200, 3000, t)).toBe('regressed');
    expect(judge(3000, 200, t)).toBe('improved');
    expect(judge(0, 0.002, { abs: 0.001, rel: 0.5 })).toBe('regressed'); // errors from none
  });
});

describe('compareReports', () => {
  it('should find nothing worse when a report is compared with itself', () => {
    const c = compareReports(fixture(), fixture());
    expect(c.regressed).toBe(false);
    expect(c.rows.filter((r) => r.status !== 'same')).toEqual([]);
    // One row per figure of the variant and of each step.
    expect(c.rows.filter((r) => r.step === 'hold-lock').map((r) => r.metric)).toEqual(['maxLatencyMs', 'p99Ms', 'errorRate', 'lockWaiters', 'exclusiveHoldMs', 'stepDurationMs']);
  });

  it('should flag a longer stall, and a migration that no longer completes', () => {
    const base = fixture();
    base.variants[0]!.summary.longestStallMs = 300;
    const cur = fixture();
    cur.variants[0]!.summary.completed = false;
    const c = compareReports(base, cur);
    expect(c.regressed).toBe(true);
    expect(c.rows.filter((r) => r.status === 'regressed').map((r) => [r.step, r.metric, r.baseline, r.current])).toEqual([
      [null, 'status', 'completed', 'incomplete'],
      [null, 'longestStallMs', 300, 2179],
    ]);
  });

  it('should not call a verdict that flipped a regression when the figures stayed within noise', () => {
    // A stall of 990 ms one night and 1,010 ms the next flips a 1 s budget; the gate reports that, compare does not.
    const base = fixture();
    base.variants[0]!.summary.verdict = 'pass';
    const c = compareReports(base, fixture());
    expect(c.regressed).toBe(false);
    expect(c.rows.find((r) => r.metric === 'verdict')).toMatchObject({ baseline: 'pass', current: 'fail', status: 'same', note: expect.stringContaining('verdict changed') });
  });

  it('should flag a step that no longer completes', () => {
    const cur = fixture();
    cur.variants[0]!.steps[2]!.status = 'skipped';
    const c = compareReports(fixture(), cur);
    expect(c.rows.find((r) => r.metric === 'status' && r.step === 'after')).toMatchObject({ step: 'after', baseline: 'ok', current: 'skipped', status: 'regressed' });
  });

  it('should say which variants and steps it could not compare instead of guessing', () => {
    const cur = fixture();
    cur.variants[0]!.variant = 'other';
    const c = compareReports(fixture(), cur);
    expect(c.rows).toEqual([]);
    expect(c.notes).toEqual(['variant other is not in the baseline: nothing to compare it with', 'variant hold of the baseline was not run this time']);
  });

  it('should apply tolerance overrides', () => {
    const base = fixture();
    base.variants[0]!.summary.longestStallMs = 2000;
    expect(compareReports(base, fixture()).regressed).toBe(false);
    expect(compareReports(base, fixture(), { longestStallMs: { abs: 100, rel: 0.05 } }).rows.find((r) => r.metric === 'longestStallMs' && r.step === null)!.status).toBe('regressed');
  });
});

describe('parseTolerance', () => {
  it('should read abs, rel% or both', () => {
    expect(parseTolerance('longestStallMs=300')).toEqual({ metric: 'longestStallMs', tolerance: { abs: 300 } });
    expect(parseTolerance('p99Ms=80%')).toEqual({ metric: 'p99Ms', tolerance: { rel: 0.8 } });
    expect(parseTolerance('errorRate=0.01,25%')).toEqual({ metric: 'errorRate', tolerance: { abs: 0.01, rel: 0.25 } });
    expect(parseTolerance('stall=1')).toMatchObject({ problem: expect.stringContaining('unknown metric "stall"') });
    expect(parseTolerance('p99Ms')).toMatchObject({ problem: expect.stringContaining('must look like') });
    expect(Object.keys(DEFAULT_TOLERANCES)).toContain('longestStallMs');
  });
});

describe('pickBaseline', () => {
  it('should pick the latest earlier report of the same scenario, never the current one', () => {
    const at = (runId: string, startedAt: string, scenario = 'hold-lock') => ({ file: `${runId}.json`, report: { ...fixture(), runId, startedAt, scenario } });
    const candidates = [at('a', '2026-01-01T00:00:00Z'), at('b', '2026-01-03T00:00:00Z'), at('c', '2026-01-02T00:00:00Z'), at('x', '2026-01-03T12:00:00Z', 'other'), at('now', '2026-01-04T00:00:00Z'), at('later', '2026-01-05T00:00:00Z')];
    expect(pickBaseline(candidates, 'hold-lock', '2026-01-04T00:00:00Z', 'now')!.report.runId).toBe('b');
    expect(pickBaseline(candidates, 'hold-lock', '2026-01-01T00:00:00Z')).toBeNull();
  });
});
