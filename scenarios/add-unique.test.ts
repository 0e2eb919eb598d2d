// add-unique at 5k users: the inline constraint builds its index under ACCESS EXCLUSIVE; the
// concurrent way builds it under SHARE UPDATE EXCLUSIVE and holds ACCESS EXCLUSIVE only to attach.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunReport, StatementTrace, VariantResult } from '../harness/model/schema.ts';
import { rehearseForTest } from '../harness/testing/run-for-test.ts';

let report: RunReport;
const variant = (name: string): VariantResult => report.variants.find((v) => v.variant === name)!;
const statement = (v: string, step: string): StatementTrace => variant(v).steps.find((s) => s.name === step)!.statements[0]!;
const modes = (st: StatementTrace) => st.locks.filter((l) => l.relation === 'users').map((l) => l.mode);

beforeAll(async () => {
  ({ report } = await rehearseForTest('add-unique', { rows: 5_000, rate: 60, instances: 1 }));
});

describe('add-unique at 5k users', () => {
  it('should build the inline constraint\'s index under ACCESS EXCLUSIVE', () => {
    expect(modes(statement('inline', 'add-unique'))).toContain('AccessExclusiveLock');
  });

  it('should build the index concurrently and take ACCESS EXCLUSIVE only for the attach', () => {
    const build = statement('concurrent-index', 'build-index');
    // Outside a transaction, its locks are what the 20 ms watcher saw while it ran: never more than SHARE UPDATE EXCLUSIVE.
    expect(build.transaction).toBeUndefined();
    expect(modes(build).every((m) => m === 'ShareUpdateExclusiveLock')).toBe(true);
    const attach = statement('concurrent-index', 'attach');
    expect(modes(attach)).toContain('AccessExclusiveLock');
    expect(attach.scannedRows?.users ?? 0).toBe(0);
  });

  it('should complete both without an error', () => {
    for (const v of report.variants) {
      expect(v.summary.completed).toBe(true);
      expect(v.summary.errorRate).toBe(0);
      expect(v.steps.find((s) => s.name === 'setup-backfill')!.details?.rowsUpdated).toBeGreaterThanOrEqual(5_000);
    }
  });
});
