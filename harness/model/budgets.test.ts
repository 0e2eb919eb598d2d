import { describe, expect, it } from 'vitest';
import { checkBudgets, DEFAULT_BUDGETS } from './budgets.ts';

const check = (limits: { maxStallMs: number; maxErrorRate: number }, actual: { longestStallMs: number; errorRate: number }) =>
  Object.fromEntries(checkBudgets(limits, actual).map((c) => [c.name, c]));

describe('checkBudgets', () => {
  it('should pass an error budget of 0 when there were no errors (the limit is the most allowed)', () => {
    expect(check({ maxStallMs: 1000, maxErrorRate: 0 }, { longestStallMs: 0, errorRate: 0 }).maxErrorRate!.ok).toBe(true);
  });

  it('should fail an error budget of 0 on the first error', () => {
    expect(check({ maxStallMs: 1000, maxErrorRate: 0 }, { longestStallMs: 0, errorRate: 1e-9 }).maxErrorRate!.ok).toBe(false);
  });

  it('should pass a stall exactly at the limit and fail one a millisecond over it', () => {
    expect(check({ maxStallMs: 1000, maxErrorRate: 0.001 }, { longestStallMs: 1000, errorRate: 0 }).maxStallMs!.ok).toBe(true);
    expect(check({ maxStallMs: 1000, maxErrorRate: 0.001 }, { longestStallMs: 1001, errorRate: 0 }).maxStallMs!.ok).toBe(false);
    expect(check({ maxStallMs: 1000, maxErrorRate: 0.001 }, { longestStallMs: 999, errorRate: 0 }).maxStallMs!.ok).toBe(true);
  });

  it('should pass an error rate exactly at the limit and fail one just over it', () => {
    expect(check({ maxStallMs: 1000, maxErrorRate: 0.001 }, { longestStallMs: 0, errorRate: 0.001 }).maxErrorRate!.ok).toBe(true);
    expect(check({ maxStallMs: 1000, maxErrorRate: 0.001 }, { longestStallMs: 0, errorRate: 0.0010001 }).maxErrorRate!.ok).toBe(false);
  });

  it('should report each budget with its limit and the measured value, stall first', () => {
    // Each check also names the metric it measured, its scope (the whole run) and its unit.
    expect(checkBudgets({ maxStallMs: 250, maxErrorRate: 0.01 }, { longestStallMs: 300, errorRate: 0.005 })).toEqual([
      { name: 'maxStallMs', metric: 'longestStallMs', scope: {}, unit: 'ms', limit: 250, value: 300, actual: 300, ok: false },
      { name: 'maxErrorRate', metric: 'errorRate', scope: {}, unit: 'ratio', limit: 0.01, value: 0.005, actual: 0.005, ok: true },
    ]);
  });

  it('should judge each budget on its own measurement', () => {
    // A stall does not fail the error budget, and errors do not fail the stall budget.
    const c = check({ maxStallMs: 100, maxErrorRate: 0.1 }, { longestStallMs: 5000, errorRate: 0.5 });
    expect([c.maxStallMs!.ok, c.maxErrorRate!.ok]).toEqual([false, false]);
    const d = check({ maxStallMs: 100, maxErrorRate: 0.1 }, { longestStallMs: 50, errorRate: 0.5 });
    expect([d.maxStallMs!.ok, d.maxErrorRate!.ok]).toEqual([true, false]);
    const e = check({ maxStallMs: 100, maxErrorRate: 0.1 }, { longestStallMs: 500, errorRate: 0.05 });
    expect([e.maxStallMs!.ok, e.maxErrorRate!.ok]).toEqual([false, true]);
  });

  it('should default to a 1 s stall and a 0.1 % error rate', () => {
    expect(DEFAULT_BUDGETS).toEqual({ maxStallMs: 1000, maxErrorRate: 0.001 });
  });
});
