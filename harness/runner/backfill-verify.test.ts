import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../postgres/embedded.ts';
import type { PostgresHandle } from '../postgres/provider.ts';
import { stepHarness } from '../testing/step-harness.ts';
import { runBackfillStep } from './backfill-step.ts';
import { StepFailure } from './step-context.ts';
import { discrepancies, runVerifyStep } from './verify-step.ts';

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

  it('should count rows, or a single numeric column', () => {
    expect(discrepancies([])).toBe(0);
    expect(discrepancies([{ count: '0' }])).toBe(0);
    expect(discrepancies([{ count: '12' }])).toBe(12);
    expect(discrepancies([{ id: 'a', x: 1 }, { id: 'b', x: 2 }])).toBe(2);
    expect(discrepancies([{ id: 5, email: 'x' }])).toBe(1);
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
