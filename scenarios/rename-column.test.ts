// rename-column at 5k users: a naive RENAME makes the old instances fail with 42703, counted per
// step; expand/contract with dual writes and rolling deploys serves every request.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunReport, VariantResult } from '../harness/model/schema.ts';
import { rehearseForTest } from '../harness/testing/run-for-test.ts';

let report: RunReport;
const variant = (name: string): VariantResult => report.variants.find((v) => v.variant === name)!;

beforeAll(async () => {
  // One instance is enough: during each rolling deploy the old one serves until the new one is in rotation.
  ({ report } = await rehearseForTest('rename-column', { rows: 5_000, rate: 80, instances: 1 }));
});

describe('rename-column at 5k users', () => {
  it('should count the old code\'s 42703 errors per step, most of them while old instances still serve after the rename', () => {
    const v = variant('naive');
    expect(v.summary.completed).toBe(true);
    const total = v.summary.errorsBySqlstate['42703'] ?? 0;
    expect(total).toBeGreaterThan(0);
    const by = (step: string) => v.steps.find((s) => s.name === step)!.errorsBySqlstate?.['42703'] ?? 0;
    // Every failed request is attributed to the step it was scheduled in (a few scheduled at the
    // very end of the baseline reach the database after the rename).
    expect(v.steps.reduce((sum, s) => sum + by(s.name), 0)).toBe(total);
    expect(by('rename') + by('deploy-new')).toBeGreaterThan(total * 0.8);
    expect(by('after')).toBe(0); // the new code is everywhere by then
    // Only 42703: the rename breaks the old code, nothing else.
    expect(Object.keys(v.summary.errorsBySqlstate)).toEqual(['42703']);
  });

  // About errors, not stalls: a rolling deploy on a starved machine can pause a route for a second.
  it('should rename with expand/contract without a single failed request', () => {
    const v = variant('expand-contract');
    expect(v.summary.completed).toBe(true);
    expect(v.summary.errorRate).toBe(0);
    expect(v.summary.errorsBySqlstate).toEqual({});
    expect(v.steps.find((s) => s.name === 'verify-backfill')!.details?.discrepancies).toBe(0);
  });
});
