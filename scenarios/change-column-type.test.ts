// The first scenario end to end at 200k rows: the naive ALTER stalls the app and rewrites the
// table; expand/contract keeps every stall under a second with zero errors; varchar(255) → text
// rewrites nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunReport, VariantResult } from '../harness/model/schema.ts';
import { rehearseForTest } from '../harness/testing/run-for-test.ts';

let report: RunReport;
const variant = (name: string): VariantResult => report.variants.find((v) => v.variant === name)!;

beforeAll(async () => {
  ({ report } = await rehearseForTest('change-column-type', { rows: 200_000, rate: 300 }));
});

describe('change-column-type at 200k rows', () => {
  it('should rehearse both variants on the same seeded data', () => {
    expect(report.variants.map((v) => v.variant)).toEqual(['naive', 'expand-contract', 'varchar-to-text']);
    expect(variant('naive').dataset).toEqual(variant('expand-contract').dataset);
  });

  it('should show the naive ALTER rewriting users under ACCESS EXCLUSIVE and stalling traffic', () => {
    const naive = variant('naive');
    const alter = naive.steps.find((s) => s.name === 'alter-type')!.statements[0]!;
    expect(alter.rewrote).toBe(true);
    expect(alter.rewrittenRelations).toContain('users');
    expect(alter.locks).toContainEqual(expect.objectContaining({ mode: 'AccessExclusiveLock', relation: 'users' }));
    expect(naive.summary.longestStallMs).toBeGreaterThan(0);
    expect(naive.summary.longestStall?.step).toBe('alter-type');
    // The stall is at least as long as most of the rewrite itself.
    expect(naive.summary.longestStallMs).toBeGreaterThan(alter.durationMs * 0.5);
  });

  it('should keep the expand/contract variant free of stalls over 1 s and of errors', () => {
    const safe = variant('expand-contract');
    expect(safe.summary.completed).toBe(true);
    expect(safe.steps.every((s) => s.status === 'ok')).toBe(true);
    expect(safe.summary.longestStallMs).toBeLessThan(1000);
    expect(safe.summary.errorRate).toBe(0);
    expect(safe.summary.errorsBySqlstate).toEqual({});
    expect(safe.steps.flatMap((s) => s.statements).some((s) => s.rewrote)).toBe(false);
    const backfill = safe.steps.find((s) => s.kind === 'backfill')!;
    expect(backfill.details?.rowsScanned).toBeGreaterThanOrEqual(200_000);
    expect(safe.steps.find((s) => s.kind === 'verify')!.details?.discrepancies).toBe(0);
  });

  it('should change varchar(255) to text without rewriting users or its unique index, and without reading a row', () => {
    const st = variant('varchar-to-text').steps.find((s) => s.name === 'alter-type')!.statements[0]!;
    expect(st.status).toBe('ok');
    expect(st.rewrote).toBe(false);
    expect(st.rewrittenRelations).toEqual([]);
    expect(st.scannedRows).toEqual({});
    expect(st.locks).toContainEqual(expect.objectContaining({ mode: 'AccessExclusiveLock', relation: 'users' }));
  });
});
