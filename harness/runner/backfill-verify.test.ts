import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../postgres/embedded.ts';
import type { PostgresHandle } from '../postgres/provider.ts';
import { stepHarness } from '../testing/step-harness.ts';
import { runBackfillStep } from './backfill-step.ts';
import { StepFailure } from './step-context.ts';
import { runVerifyStep } from './verify-step.ts';

const SETUP = `CREATE TABLE users (id bigint PRIMARY KEY, balance int NOT NULL, balance_new bigint);
INSERT INTO users SELECT g, g % 1000 FROM generate_series(1, 12345) g;
DELETE FROM users WHERE id % 7 = 0; -- gaps in the key space, as in real tables`;
const VERIFY = { kind: 'verify', name: 'verify', sql: 'SELECT count(*) FROM users WHERE balance_new IS DISTINCT FROM balance' } as const;

let handle: PostgresHandle;
beforeAll(async () => { handle = await startEmbeddedPostgres(); });
afterAll(async () => { await handle?.stop(); });

describe('backfill and verify steps', () => {
  it('should backfill every row in keyset batches, then verify zero discrepancies', async () => {
    const h = await stepHarness(handle, SETUP);
    const out = await runBackfillStep({ kind: 'backfill', name: 'bf', table: 'users', set: 'balance_new = balance', where: 'balance_new IS DISTINCT FROM balance', batchSize: 1000, delayMs: 0 }, h.ctx);
    const rows = 12345 - Math.floor(12345 / 7);
    expect(out.details).toMatchObject({ rowsScanned: rows, rowsUpdated: rows, batches: Math.ceil(rows / 1000) });
    expect(out.statements[0]!.rewrote).toBe(false);
    expect(out.statements[0]!.locks.map((l) => l.mode)).toContain('RowExclusiveLock');
    const verified = await runVerifyStep(VERIFY, h.ctx);
    expect(verified.details).toEqual({ discrepancies: 0 });
    // Idempotent: a second run scans everything and updates nothing.
    const again = await runBackfillStep({ kind: 'backfill', name: 'bf2', table: 'users', set: 'balance_new = balance', where: 'balance_new IS DISTINCT FROM balance', batchSize: 5000, delayMs: 0 }, h.ctx);
    expect(again.details).toMatchObject({ rowsScanned: rows, rowsUpdated: 0 });
    await h.close();
  });

  it('should fail verify with the offending count', async () => {
    const h = await stepHarness(handle, SETUP);
    await h.ctx.migration.query('UPDATE users SET balance_new = balance WHERE id <= 100');
    const err = await runVerifyStep(VERIFY, h.ctx).catch((e) => e);
    expect(err).toBeInstanceOf(StepFailure);
    const expected = 12345 - Math.floor(12345 / 7) - (100 - Math.floor(100 / 7));
    expect(err.outcome.details).toEqual({ discrepancies: expected });
    expect(err.message).toContain(String(expected));
    await h.close();
  });

});

describe('verify reads only an explicit count as a count', () => {
  const verify = (sql: string) => ({ kind: 'verify', name: 'verify', sql }) as const;
  const outcome = async (sql: string) => {
    const h = await stepHarness(handle, SETUP);
    try {
      return await runVerifyStep(verify(sql), h.ctx).then((o) => ({ passed: true, details: o.details }), (e: StepFailure) => ({ passed: false, details: e.outcome?.details, message: e.message }));
    } finally {
      await h.close();
    }
  };

  it.each([
    ['NULL', 'SELECT balance_new FROM users WHERE id = 1'],
    ["''", "SELECT '' AS email FROM users WHERE id = 1"],
    ["'0'", "SELECT '0'::text AS code FROM users WHERE id = 1"],
    ['false', 'SELECT balance_new IS NOT NULL AS migrated FROM users WHERE id = 1'],
    ['0 in a column not named count', 'SELECT 0 AS balance FROM users WHERE id = 1'],
  ])('should fail on one offending row whose only value is %s', async (_what, sql) => {
    const r = await outcome(sql);
    expect(r.passed).toBe(false);
    expect(r.details).toEqual({ discrepancies: 1 });
  });

  it('should pass a count(*) of 0 and fail a count(*) of 12 with the count', async () => {
    expect(await outcome('SELECT count(*) FROM users WHERE id < 0')).toEqual({ passed: true, details: { discrepancies: 0 } });
    const r = await outcome('SELECT count(*) FROM users WHERE id <= 14');
    expect(r).toMatchObject({ passed: false, details: { discrepancies: 12 } });
  });

  it('should read a column aliased discrepancies or count, of an integer type, as a count', async () => {
    expect(await outcome('SELECT count(*) AS discrepancies FROM users WHERE balance < 0')).toEqual({ passed: true, details: { discrepancies: 0 } });
    expect(await outcome('SELECT 0::int AS count')).toEqual({ passed: true, details: { discrepancies: 0 } });
    expect(await outcome('SELECT 3::smallint AS discrepancies')).toMatchObject({ passed: false, details: { discrepancies: 3 } });
  });

  it('should not read a count column of a non-integer type as a count', async () => {
    expect(await outcome("SELECT '0'::text AS count")).toMatchObject({ passed: false, details: { discrepancies: 1 } });
    expect(await outcome('SELECT 0::numeric AS count')).toMatchObject({ passed: false, details: { discrepancies: 1 } });
  });

  it('should fail when the count itself is NULL: the invariant was not evaluated', async () => {
    const r = await outcome('SELECT NULL::int AS count');
    expect(r.passed).toBe(false);
    expect(r.details).toEqual({ discrepancies: null });
  });

  it('should pass on zero rows and count every returned row otherwise', async () => {
    expect(await outcome('SELECT id FROM users WHERE id < 0')).toEqual({ passed: true, details: { discrepancies: 0 } });
    expect(await outcome('SELECT id, balance FROM users WHERE id <= 5')).toMatchObject({ passed: false, details: { discrepancies: 5 } });
    // Several count rows (GROUP BY) are several offending rows, not a sum.
    expect(await outcome('SELECT count(*) FROM users WHERE id <= 20 GROUP BY id % 3')).toMatchObject({ passed: false, details: { discrepancies: 3 } });
  });
});

describe('lock wait on a row lock', () => {
  it('should measure a backfill batch waiting on a row held by another transaction', async () => {
    const h = await stepHarness(handle, SETUP);
    const { holdLock } = await import('../testing/step-harness.ts');
    const { released } = await holdLock(h.url, 'UPDATE users SET balance = balance + 1 WHERE id = 3', 800);
    const out = await runBackfillStep({ kind: 'backfill', name: 'bf', table: 'users', set: 'balance_new = balance', batchSize: 100000, delayMs: 0 }, h.ctx);
    await released;
    expect(out.statements[0]!.lockWaitMs).toBeGreaterThan(600);
    await h.close();
  });
});
