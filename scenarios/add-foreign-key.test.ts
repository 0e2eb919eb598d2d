// add-foreign-key at 5k users: the plain FK holds SHARE ROW EXCLUSIVE on both tables while it
// reads every order; NOT VALID reads nothing, and VALIDATE reads them under locks that let the
// app's reads and writes go on.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunReport, StatementTrace, VariantResult } from '../harness/model/schema.ts';
import { strongestLocks } from '../harness/report/render-findings.ts';
import { rehearseForTest } from '../harness/testing/run-for-test.ts';

let report: RunReport;
const variant = (name: string): VariantResult => report.variants.find((v) => v.variant === name)!;
const statement = (v: string, step: string): StatementTrace => variant(v).steps.find((s) => s.name === step)!.statements[0]!;
const lock = (st: StatementTrace, relation: string) => st.locks.filter((l) => l.relation === relation).map((l) => l.mode);
/** The strongest lock on the relation (the statement's own reads also take ACCESS SHARE). */
const strongest = (st: StatementTrace, relation: string) => strongestLocks([st]).find(([r]) => r === relation)?.[1] ?? 'none stronger than ROW EXCLUSIVE';

beforeAll(async () => {
  ({ report } = await rehearseForTest('add-foreign-key', { rows: 5_000, rate: 60, instances: 1 }));
});

describe('add-foreign-key at 5k users', () => {
  it('should validate every order while holding SHARE ROW EXCLUSIVE on orders and users', () => {
    const st = statement('plain', 'add-fk');
    expect(lock(st, 'orders')).toContain('ShareRowExclusiveLock');
    expect(lock(st, 'users')).toContain('ShareRowExclusiveLock');
    expect(st.scannedRows?.orders).toBeGreaterThanOrEqual(10_000);
  });

  it('should add NOT VALID without reading a row, and VALIDATE under SHARE UPDATE EXCLUSIVE and ROW SHARE', () => {
    const add = statement('not-valid', 'add-fk-not-valid');
    expect(add.scannedRows?.orders ?? 0).toBe(0);
    const validate = statement('not-valid', 'validate');
    expect(strongest(validate, 'orders')).toBe('ShareUpdateExclusiveLock');
    // On the referenced table only ROW SHARE: users' writes go on.
    expect(lock(validate, 'users')).toContain('RowShareLock');
    expect(strongest(validate, 'users')).toBe('none stronger than ROW EXCLUSIVE');
    expect(validate.scannedRows?.orders).toBeGreaterThanOrEqual(10_000);
  });

  it('should complete both without an error', () => {
    for (const v of report.variants) {
      expect(v.summary.completed).toBe(true);
      expect(v.summary.errorRate).toBe(0);
    }
  });
});
