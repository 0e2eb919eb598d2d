// add-not-null at 5k users: SET NOT NULL fails while the old code writes NULLs; it reads every
// row under ACCESS EXCLUSIVE; after a validated CHECK it reads none, and VALIDATE scans under a
// lock that lets writes go on.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunReport, StatementTrace, VariantResult } from '../harness/model/schema.ts';
import { rehearseForTest } from '../harness/testing/run-for-test.ts';

let report: RunReport;
const variant = (name: string): VariantResult => report.variants.find((v) => v.variant === name)!;
const statement = (v: string, step: string): StatementTrace => variant(v).steps.find((s) => s.name === step)!.statements[0]!;
const modes = (st: StatementTrace) => st.locks.filter((l) => l.relation === 'users').map((l) => l.mode);

beforeAll(async () => {
  ({ report } = await rehearseForTest('add-not-null', { rows: 5_000, rate: 80, instances: 1 }));
});

describe('add-not-null at 5k users', () => {
  it('should show SET NOT NULL failing with 23502 while the old code still inserts NULLs', () => {
    const v = variant('old-code-writes-nulls');
    const step = v.steps.find((s) => s.name === 'set-not-null')!;
    expect(step.status).toBe('ok');
    expect(step.details?.expectedError).toMatchObject({ sqlstate: '23502' });
    expect(step.statements[0]!.error?.sqlstate).toBe('23502');
    expect(v.summary.completed).toBe(true);
  });

  it('should show a plain SET NOT NULL reading every row under ACCESS EXCLUSIVE', () => {
    const st = statement('plain', 'set-not-null');
    expect(st.status).toBe('ok');
    expect(modes(st)).toContain('AccessExclusiveLock');
    expect(st.scannedRows?.users).toBeGreaterThanOrEqual(5_000);
    expect(variant('plain').summary.errorRate).toBe(0);
  });

  it('should validate the CHECK under SHARE UPDATE EXCLUSIVE and then set NOT NULL without reading a row', () => {
    const v = variant('safe');
    expect(v.summary.completed).toBe(true);
    const validate = statement('safe', 'validate');
    expect(modes(validate)).toEqual(['ShareUpdateExclusiveLock']);
    expect(validate.scannedRows?.users).toBeGreaterThanOrEqual(5_000);
    expect(statement('safe', 'set-not-null').scannedRows?.users ?? 0).toBe(0);
    expect(v.summary.errorRate).toBe(0);
    expect(v.summary.errorsBySqlstate).toEqual({});
  });
});
