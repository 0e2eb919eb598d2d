// add-column at 10k users: which forms rewrite users and which only touch the catalog; every
// form takes ACCESS EXCLUSIVE; the safe way to a volatile value rewrites nothing and errs nowhere.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunReport, StatementTrace, VariantResult } from '../harness/model/schema.ts';
import { rehearseForTest } from '../harness/testing/run-for-test.ts';

let report: RunReport;
const variant = (name: string): VariantResult => report.variants.find((v) => v.variant === name)!;
const addColumn = (name: string): StatementTrace => variant(name).steps.find((s) => s.name === 'add-column')!.statements[0]!;

beforeAll(async () => {
  ({ report } = await rehearseForTest('add-column', { rows: 10_000, rate: 60, instances: 1 }));
});

describe('add-column at 10k users', () => {
  it('should complete every variant under ACCESS EXCLUSIVE on users', () => {
    expect(report.variants.map((v) => v.variant)).toEqual(['nullable', 'constant-default', 'volatile-default', 'safe-volatile']);
    for (const v of report.variants) {
      expect(v.summary.completed).toBe(true);
      expect(addColumn(v.variant).locks).toContainEqual(expect.objectContaining({ mode: 'AccessExclusiveLock', relation: 'users' }));
    }
  });

  it('should show a nullable jsonb column and a constant default as catalog-only: no rewrite, no row read', () => {
    for (const name of ['nullable', 'constant-default']) {
      expect(addColumn(name).rewrote).toBe(false);
      expect(addColumn(name).scannedRows).toEqual({});
    }
  });

  it('should show a volatile default rewriting users and its indexes, reading every row', () => {
    const st = addColumn('volatile-default');
    expect(st.rewrote).toBe(true);
    expect(st.rewrittenRelations).toEqual(expect.arrayContaining(['users', 'users_pkey', 'users_email_key']));
    expect(st.scannedRows?.users).toBeGreaterThanOrEqual(10_000);
  });

  it('should reach the same volatile column the safe way with no rewrite, no error and no long stall', () => {
    const v = variant('safe-volatile');
    expect(v.steps.flatMap((s) => s.statements).some((s) => s.rewrote)).toBe(false);
    expect(v.steps.find((s) => s.kind === 'backfill')!.details).toMatchObject({ rowsScanned: expect.any(Number), rowsUpdated: expect.any(Number) });
    expect(v.steps.find((s) => s.kind === 'backfill')!.details!.rowsUpdated).toBeGreaterThanOrEqual(10_000);
    expect(v.steps.find((s) => s.kind === 'verify')!.details?.discrepancies).toBe(0);
    expect(v.summary.errorRate).toBe(0);
    expect(v.summary.longestStallMs).toBeLessThan(1000);
  });
});
