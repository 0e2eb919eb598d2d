// split-table at 5k users: profiles move to their own table through dual writes, a batched copy,
// count and checksum verification and three deploys, without a failed request.
import { beforeAll, describe, expect, it } from 'vitest';
import type { VariantResult } from '../harness/model/schema.ts';
import { rehearseForTest } from '../harness/testing/run-for-test.ts';

let v: VariantResult;

beforeAll(async () => {
  const { report } = await rehearseForTest('split-table', { rows: 5_000, rate: 80, instances: 1 });
  v = report.variants[0]!;
});

describe('split-table at 5k users', () => {
  // About correctness and errors, not stalls: a rolling deploy on a starved machine can pause a route for a second.
  it('should run every step and serve every request', () => {
    expect(v.steps.map((s) => [s.name, s.status])).toEqual(v.steps.map((s) => [s.name, 'ok']));
    expect(v.summary.errorRate).toBe(0);
    expect(v.summary.errorsBySqlstate).toEqual({});
  });

  it('should copy the old rows in batches and find no discrepancy by count or by checksum', () => {
    const copy = v.steps.find((s) => s.name === 'copy-profiles')!.details!;
    expect(copy.into).toBe('user_profiles');
    expect(copy.rowsScanned).toBeGreaterThanOrEqual(5_000);
    expect(copy.rowsInserted).toBeGreaterThan(4_000); // rows the dual-write code created are already there
    expect(v.steps.find((s) => s.name === 'verify-count')!.details?.discrepancies).toBe(0);
    expect(v.steps.find((s) => s.name === 'verify-checksum')!.details?.discrepancies).toBe(0);
  });
});
