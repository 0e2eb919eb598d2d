// Judging a rollback from the measurements: healthy only when every undo step ran and the old
// code answered every request of the health window; otherwise it says why.
import { describe, expect, it } from 'vitest';
import { judgeRollback } from './rollback.ts';
import type { StepResult, TrafficSummary } from './schema.ts';

const traffic = (over: Partial<TrafficSummary> = {}): TrafficSummary => ({ requests: 100, completed: 100, non2xx: 0, errors: 0, timeouts: 0, unfinished: 0, p50Ms: 2, p95Ms: 5, p99Ms: 9, maxMs: 12, errorRate: 0, ...over });
const step = (name: string, over: Partial<StepResult> = {}): StepResult => ({ name, kind: 'sql', status: 'ok', phase: 'rollback', startMs: 0, endMs: 1000, durationMs: 1000, statements: [], traffic: traffic(), longestStallMs: 0, ...over });
const facts = { lastReversibleStep: 'expand', notRun: ['contract'], oldVersion: 'old', healthStep: 'old-code-health' };

describe('judgeRollback', () => {
  it('should call a rollback healthy when the undo ran and the old code served every request', () => {
    const r = judgeRollback([step('expand', { phase: 'forward' }), step('rollback-expand', { longestStallMs: 340 }), step('old-code-health', { kind: 'pause', startMs: 1000, endMs: 4000 })], facts, 'old');
    expect(r).toMatchObject({ healthy: true, problems: [], longestStallMs: 340, longestStallStep: 'rollback-expand', healthWindow: { startMs: 1000, endMs: 4000 } });
  });

  it('should say the old code is not healthy when it fails requests in the health window, with their SQLSTATEs', () => {
    const r = judgeRollback([step('rollback-expand'), step('old-code-health', { traffic: traffic({ non2xx: 7, errorRate: 0.07 }), errorsBySqlstate: { '42703': 7 } })], facts, 'old');
    expect(r.healthy).toBe(false);
    expect(r.problems).toEqual(['the old code failed 7 of 100 requests in the health window (SQLSTATE 42703 ×7)']);
  });

  it('should fail a rollback whose undo step failed, or that left the app on another version', () => {
    const r = judgeRollback([step('rollback-expand', { status: 'failed', error: { message: 'lock timeout' } }), step('old-code-health', { status: 'skipped', traffic: undefined })], facts, 'dual-write');
    expect(r.healthy).toBe(false);
    expect(r.problems).toEqual(['rollback step rollback-expand failed: lock timeout', 'rollback step old-code-health did not run', 'the app ended on version dual-write, not the old version old']);
  });
});
