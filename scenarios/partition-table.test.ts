// partition-table at 5k users: orders becomes a partitioned table through a trigger-fed shadow,
// a batched copy, verification and a rename swap that holds ACCESS EXCLUSIVE only briefly.
import { beforeAll, describe, expect, it } from 'vitest';
import type { VariantResult } from '../harness/model/schema.ts';
import { rehearseForTest } from '../harness/testing/run-for-test.ts';

let v: VariantResult;

beforeAll(async () => {
  const { report } = await rehearseForTest('partition-table', { rows: 5_000, rate: 80, instances: 1 });
  v = report.variants[0]!;
});

describe('partition-table at 5k users', () => {
  it('should run every step and serve every request, orders included, across the swap', () => {
    expect(v.steps.map((s) => [s.name, s.status])).toEqual(v.steps.map((s) => [s.name, 'ok']));
    expect(v.summary.errorRate).toBe(0);
    expect(v.summary.errorsBySqlstate).toEqual({});
    const after = v.steps.find((s) => s.name === 'after')!.traffic!;
    expect(after.requests).toBeGreaterThan(0);
  });

  it('should copy every order and verify the shadow, then the swapped table, with no discrepancy', () => {
    expect(v.steps.find((s) => s.name === 'copy')!.details?.rowsScanned).toBeGreaterThanOrEqual(10_000);
    for (const name of ['verify-count', 'verify-rows', 'verify-partitioned', 'verify-swapped']) {
      expect(v.steps.find((s) => s.name === name)!.details?.discrepancies).toBe(0);
    }
  });

  it('should swap the names holding ACCESS EXCLUSIVE on both tables for well under a second', () => {
    const swap = v.steps.find((s) => s.name === 'swap')!;
    const lock = swap.statements[0]!;
    expect(lock.locks).toEqual(expect.arrayContaining([
      expect.objectContaining({ mode: 'AccessExclusiveLock', relation: 'orders' }),
      expect.objectContaining({ mode: 'AccessExclusiveLock', relation: 'orders_p' }),
    ]));
    const held = (lock.heldUntilMs ?? lock.endMs) - (lock.attempts.at(-1)!.startMs + lock.attempts.at(-1)!.lockWaitMs);
    expect(held).toBeLessThan(1000);
  });
});
