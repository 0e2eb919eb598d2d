// --rehearse-rollback end to end at 5k users: add-column's safe variant runs forward to its last
// reversible step, is undone under load (the undo's own locks and stalls are reported), and the
// old code is judged healthy in the window after.
import { beforeAll, describe, expect, it } from 'vitest';
import type { VariantResult } from '../model/schema.ts';
import { rehearseForTest } from '../testing/run-for-test.ts';

let v: VariantResult;

beforeAll(async () => {
  const { report } = await rehearseForTest('add-column', { rows: 5_000, rate: 80, instances: 1, variants: ['safe-volatile'], shape: { rehearseRollback: true } });
  v = report.variants[0]!;
});

describe('--rehearse-rollback on add-column/safe-volatile', () => {
  it('should run forward to the last reversible step, then the undo in reverse order', () => {
    expect(v.steps.map((s) => [s.name, s.phase, s.status])).toEqual([
      ['baseline', 'forward', 'ok'],
      ['add-column', 'forward', 'ok'],
      ['set-default', 'forward', 'ok'],
      ['rollback-set-default', 'rollback', 'ok'],
      ['rollback-add-column', 'rollback', 'ok'],
      ['old-code-health', 'rollback', 'ok'],
    ]);
    expect(v.rollback).toMatchObject({ lastReversibleStep: 'set-default', notRun: ['backfill', 'verify', 'after'], oldVersion: 'old' });
  });

  it('should trace the rollback\'s own locks and attribute its stalls', () => {
    const drop = v.steps.find((s) => s.name === 'rollback-add-column')!;
    expect(drop.statements[0]).toMatchObject({ sql: 'ALTER TABLE users DROP COLUMN token', status: 'ok' });
    expect(drop.statements[0]!.locks).toContainEqual(expect.objectContaining({ mode: 'AccessExclusiveLock', relation: 'users' }));
    expect(typeof drop.longestStallMs).toBe('number');
    expect(v.rollback!.longestStallStep).toMatch(/^rollback-/);
  });

  it('should judge the old code healthy in the window after the undo', () => {
    expect(v.rollback!.healthy).toBe(true);
    expect(v.rollback!.problems).toEqual([]);
    expect(v.rollback!.traffic.requests).toBeGreaterThan(50);
    expect(v.summary.verdict).toBe('pass');
  });
});
