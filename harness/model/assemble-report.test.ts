import { describe, expect, it } from 'vitest';
import { assembleReport } from './assemble-report.ts';
import { SCHEMA_VERSION, type Stall, type Summary, type VariantResult } from './schema.ts';

const stall = (route: string, durationMs: number): Stall => ({ route, startMs: 100, endMs: 100 + durationMs, durationMs, step: 's', statement: null });

const summary = (over: Partial<Summary>): Summary => ({
  verdict: 'pass', completed: true, longestStallMs: 0, longestStall: null, maxLatencyMs: 0, errorRate: 0, maxLockWaiters: 0, requests: 0,
  errorsBySqlstate: {}, budgets: [{ name: 'maxStallMs', limit: 1000, actual: 0, ok: true }], failedStep: null, ...over,
});

const variant = (name: string, s: Partial<Summary>): VariantResult =>
  ({ variant: name, summary: summary(s), steps: [{ name: `${name}-step` }], timeline: [{ t: name }] }) as unknown as VariantResult;

const assemble = (variants: VariantResult[]) =>
  assembleReport({ runId: 'run-1', startedAt: '2025-01-01T00:00:00.000Z', durationMs: 1234, scenario: 'sc', variants, toolVersion: '9.9.9', seed: null });

describe('assembleReport', () => {
  it('should carry the run facts, the schema version, and the first variant\'s steps and timeline for single-variant readers', () => {
    const a = variant('a', {});
    const b = variant('b', {});
    const r = assemble([a, b]);
    expect(r).toMatchObject({ schemaVersion: SCHEMA_VERSION, runId: 'run-1', tool: { name: 'rehearse', version: '9.9.9' }, startedAt: '2025-01-01T00:00:00.000Z', durationMs: 1234, scenario: 'sc', seed: null });
    expect(r.variants).toEqual([a, b]);
    expect(r.steps).toBe(a.steps);
    expect(r.timeline).toBe(a.timeline);
  });

  it('should use the only variant\'s summary as the overall one', () => {
    const a = variant('a', { verdict: 'fail', longestStallMs: 5 });
    expect(assemble([a]).summary).toBe(a.summary);
  });

  it('should take the worst of every variant, so a stall or error in one is never averaged away', () => {
    const naive = variant('naive', {
      verdict: 'fail', longestStallMs: 3200, longestStall: stall('w', 3200), maxLatencyMs: 3300, errorRate: 0.001, maxLockWaiters: 40, requests: 1000,
      errorsBySqlstate: { '55P03': 2, '57014': 1 }, budgets: [{ name: 'maxStallMs', limit: 1000, actual: 3200, ok: false }],
    });
    const safe = variant('safe', {
      longestStallMs: 200, longestStall: stall('r', 200), maxLatencyMs: 9000, errorRate: 0.01, maxLockWaiters: 3, requests: 500,
      errorsBySqlstate: { '55P03': 5 }, budgets: [{ name: 'maxStallMs', limit: 1000, actual: 200, ok: true }],
    });
    expect(assemble([safe, naive]).summary).toEqual({
      verdict: 'fail',
      completed: true,
      longestStallMs: 3200,
      longestStall: stall('w', 3200),
      maxLatencyMs: 9000,
      errorRate: 0.01,
      maxLockWaiters: 40,
      requests: 1500,
      errorsBySqlstate: { '55P03': 7, '57014': 1 },
      budgets: [
        { name: 'maxStallMs', limit: 1000, actual: 200, ok: true, variant: 'safe' },
        { name: 'maxStallMs', limit: 1000, actual: 3200, ok: false, variant: 'naive' },
      ],
      failedStep: null,
    });
  });

  it('should pass only when every variant passed, and complete only when every variant completed', () => {
    expect(assemble([variant('a', {}), variant('b', {})]).summary).toMatchObject({ verdict: 'pass', completed: true });
    expect(assemble([variant('a', {}), variant('b', { verdict: 'fail' })]).summary.verdict).toBe('fail');
    expect(assemble([variant('a', { verdict: 'fail' }), variant('b', {})]).summary.verdict).toBe('fail');
    expect(assemble([variant('a', {}), variant('b', { completed: false })]).summary.completed).toBe(false);
    expect(assemble([variant('a', { completed: false }), variant('b', {})]).summary.completed).toBe(false);
  });

  it('should name the first failed step with its variant', () => {
    const r = assemble([variant('a', {}), variant('b', { failedStep: 'backfill', completed: false, verdict: 'fail' }), variant('c', { failedStep: 'x' })]);
    expect(r.summary.failedStep).toBe('b/backfill');
  });

  it('should keep the first of equally long stalls', () => {
    const r = assemble([variant('a', { longestStallMs: 100, longestStall: stall('first', 100) }), variant('b', { longestStallMs: 100, longestStall: stall('second', 100) })]);
    expect(r.summary.longestStall!.route).toBe('first');
  });

  it('should fail a report without variants, with nothing measured', () => {
    const r = assemble([]);
    expect(r.summary).toEqual({
      verdict: 'fail', completed: false, longestStallMs: 0, longestStall: null, maxLatencyMs: 0, errorRate: 0, maxLockWaiters: 0, requests: 0,
      errorsBySqlstate: {}, budgets: [], failedStep: null,
    });
    expect(r.steps).toEqual([]);
    expect(r.timeline).toEqual([]);
  });
});
