import { describe, expect, it } from 'vitest';
import { buildSampleReport } from '../report/fixtures/sample-report.ts';
import { exclusiveHoldMs, fitLinear, lockedTable, projectScales } from './projection.ts';
import type { StatementTrace, VariantResult } from './schema.ts';

const st = (over: Partial<StatementTrace>): StatementTrace => ({
  sql: 'ALTER TABLE users ALTER COLUMN balance TYPE bigint', startMs: 1000, endMs: 2000, durationMs: 1000, lockWaitMs: 0,
  locks: [{ locktype: 'relation', mode: 'AccessExclusiveLock', relation: 'users' }], rewrote: true, rewrittenRelations: ['users'],
  attempts: [{ attempt: 1, startMs: 1000, durationMs: 1000, lockWaitMs: 0 }], status: 'ok', heldUntilMs: 2000, ...over,
});

describe('fitLinear', () => {
  it('should fit an exact line and project it', () => {
    const f = fitLinear([{ rows: 100_000, ms: 150 }, { rows: 300_000, ms: 350 }, { rows: 1_000_000, ms: 1050 }], 250_000_000);
    expect(f.model).toBe('linear');
    expect(f.slopeMsPerRow).toBeCloseTo(0.001, 9);
    expect(f.interceptMs).toBeCloseTo(50, 6);
    expect(f.r2).toBeCloseTo(1, 9);
    expect(f.projectedMs).toBeCloseTo(250_050, 3);
  });

  it('should call a cost that does not grow with rows constant, and project its mean', () => {
    const f = fitLinear([{ rows: 100_000, ms: 12 }, { rows: 300_000, ms: 9 }, { rows: 1_000_000, ms: 14 }], 1e9);
    expect(f.model).toBe('constant');
    expect(f.projectedMs).toBeCloseTo(35 / 3, 9);
  });

  it('should call a scattered fit poor (R² below 0.9) and still show it', () => {
    const f = fitLinear([{ rows: 100, ms: 100 }, { rows: 200, ms: 1000 }, { rows: 300, ms: 300 }, { rows: 400, ms: 1200 }], 1000);
    expect(f.model).toBe('poor');
    expect(f.r2).toBeLessThan(0.9);
    expect(f.projectedMs).not.toBeNull();
  });

  it('should not fit one point, nor points all at one size', () => {
    expect(fitLinear([{ rows: 10, ms: 5 }], 100).model).toBe('none');
    expect(fitLinear([{ rows: 10, ms: 5 }, { rows: 10, ms: 7 }], 100).model).toBe('none');
  });
});

describe('exclusiveHoldMs and lockedTable', () => {
  it('should measure ACCESS EXCLUSIVE from acquisition (after the last attempt\'s lock wait) to release', () => {
    const s = st({ attempts: [{ attempt: 1, startMs: 500, durationMs: 200, lockWaitMs: 200, error: { sqlstate: '55P03', message: 'x' } }, { attempt: 2, startMs: 1000, durationMs: 1000, lockWaitMs: 300 }], heldUntilMs: 2500 });
    expect(exclusiveHoldMs(s)).toBe(2500 - 1300);
    expect(exclusiveHoldMs(st({ locks: [{ locktype: 'relation', mode: 'ShareLock', relation: 'users' }] }))).toBeNull();
  });

  it('should pick the table of the strongest lock, matching quoted and schema-qualified names', () => {
    const s = st({ locks: [{ locktype: 'relation', mode: 'AccessShareLock', relation: 'orders' }, { locktype: 'relation', mode: 'ShareRowExclusiveLock', relation: 'public."Booking"' }, { locktype: 'relation', mode: 'AccessExclusiveLock', relation: 'booking_pkey' }] });
    expect(lockedTable(s, { orders: 10, Booking: 20 })).toBe('Booking');
  });
});

describe('projectScales', () => {
  const variantAt = (users: number, ms: number, holdUntil: number): VariantResult => {
    const v = structuredClone(buildSampleReport().variants[0]!);
    v.dataset = { description: 'sample', seed: 1, tables: { users, orders: users * 3 } };
    v.steps = [{ name: 'alter', kind: 'sql', status: 'ok', startMs: 0, endMs: ms, durationMs: ms, statements: [st({ durationMs: ms, endMs: 1000 + ms, heldUntilMs: holdUntil })] }];
    return v;
  };

  it('should project the statement\'s exclusive hold to the production rows of the table it locked', () => {
    const p = projectScales([
      { base: 'naive', scale: '100k', result: variantAt(100_000, 150, 1150) },
      { base: 'naive', scale: '300k', result: variantAt(300_000, 350, 1350) },
      { base: 'naive', scale: '1m', result: variantAt(1_000_000, 1050, 2050) },
    ], { users: 250_000_000 });
    const [s] = p.statements;
    expect(s!.table).toBe('users');
    expect(s!.exclusiveHold!.model).toBe('linear');
    expect(s!.exclusiveHold!.projectedMs).toBeCloseTo(250_050, 0);
    expect(s!.summary).toMatch(/holds ACCESS EXCLUSIVE ≈ 4 min at 250M rows of users \(linear, R² 1\.00; 3 points\)/);
  });

  it('should scale an unnamed table by the factor of a named one, and say so', () => {
    const p = projectScales([
      { base: 'naive', scale: 'a', result: variantAt(100_000, 150, 1150) },
      { base: 'naive', scale: 'b', result: variantAt(200_000, 250, 1250) },
    ], { orders: 3_000_000 });
    expect(p.statements[0]!.productionRows).toBe(1_000_000);
    expect(p.notes[0]).toMatch(/scaled by orders's factor .*×5\.0/);
  });
});
