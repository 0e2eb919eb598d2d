import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../postgres/embedded.ts';
import type { PostgresHandle } from '../postgres/provider.ts';
import pg from 'pg';
import { now } from '../clock.ts';
import { holdLock, stepHarness } from '../testing/step-harness.ts';
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

describe('backfill under real conditions', () => {
  it('should carry bigint keys above 2^53 exactly, to the largest bigint', async () => {
    const h = await stepHarness(handle, `CREATE TABLE big (id bigint PRIMARY KEY, v int NOT NULL, v2 int);
      INSERT INTO big SELECT 9007199254740990 + g, g, NULL FROM generate_series(1, 50) g;
      INSERT INTO big VALUES (9223372036854775807, 0, NULL);`);
    // A wrong key arithmetic loops or fails; never let it run away.
    h.ctx.signal = AbortSignal.timeout(20_000);
    const out = await runBackfillStep({ kind: 'backfill', name: 'bf', table: 'big', set: 'v2 = v', where: 'v2 IS DISTINCT FROM v', batchSize: 7, delayMs: 0 }, h.ctx);
    expect(h.ctx.signal.aborted).toBe(false);
    // Each of the 51 rows scanned exactly once: batch boundaries such as 9007199254740997 were not rounded.
    expect(out.details).toMatchObject({ rowsScanned: 51, rowsUpdated: 51, batches: 8, keyRange: ['9007199254740991', '9223372036854775807'] });
    expect((await runVerifyStep({ kind: 'verify', name: 'v', sql: 'SELECT count(*) FROM big WHERE v2 IS DISTINCT FROM v' }, h.ctx)).details).toEqual({ discrepancies: 0 });
    await h.close();
  });

  it('should backfill a table with text keys', async () => {
    const h = await stepHarness(handle, `CREATE TABLE tags (name text PRIMARY KEY, n int NOT NULL, n2 int);
      INSERT INTO tags SELECT 'tag-' || g, g, NULL FROM generate_series(1, 95) g;`);
    h.ctx.signal = AbortSignal.timeout(20_000);
    const out = await runBackfillStep({ kind: 'backfill', name: 'bf', table: 'tags', key: 'name', set: 'n2 = n', batchSize: 10, delayMs: 0 }, h.ctx);
    expect(out.details).toMatchObject({ rowsScanned: 95, rowsUpdated: 95, batches: 10 });
    expect((await h.ctx.migration.query('SELECT count(*)::int AS c FROM tags WHERE n2 IS DISTINCT FROM n')).rows[0].c).toBe(0);
    await h.close();
  });

  it('should do nothing on an empty table', async () => {
    const h = await stepHarness(handle, 'CREATE TABLE empty (id bigint PRIMARY KEY, v int, v2 int);');
    const out = await runBackfillStep({ kind: 'backfill', name: 'bf', table: 'empty', set: 'v2 = v', delayMs: 0 }, h.ctx);
    expect(out.details).toMatchObject({ rowsScanned: 0, rowsUpdated: 0, batches: 0 });
    expect(out.statements[0]!.status).toBe('ok');
    await h.close();
  });

  it('should resume from the last committed key after a batch fails on a lock timeout, scanning every row exactly once', async () => {
    const h = await stepHarness(handle, SETUP);
    const rows = 12345 - Math.floor(12345 / 7);
    // Batches of 1000 keys: the batch holding id 5000 meets a row lock held for 700 ms.
    const hold = await holdLock(h.url, 'UPDATE users SET balance = balance WHERE id = 5000', 700);
    await h.ctx.migration.query("SET lock_timeout = '200ms'");
    const stepStart = now();
    const out = await runBackfillStep({ kind: 'backfill', name: 'bf', table: 'users', set: 'balance_new = balance', where: 'balance_new IS DISTINCT FROM balance', batchSize: 1000, delayMs: 0 }, h.ctx);
    const { commitSentMs, committedMs } = await hold.released;
    const d = out.details as Record<string, unknown>;
    // The failed batch rolled back and ran again from the last committed key: nothing skipped, nothing twice.
    expect(d).toMatchObject({ rowsScanned: rows, rowsUpdated: rows, batches: Math.ceil(rows / 1000) });
    expect(d.retried).toBeGreaterThanOrEqual(1);
    expect(d.retried).toBeLessThanOrEqual(4);
    expect(out.statements[0]!.status).toBe('ok');
    // Its waits are lock waits: a lock_timeout per retry (less one 20 ms poll each), never more than the hold.
    expect(out.statements[0]!.lockWaitMs).toBeGreaterThanOrEqual((200 - 25) * (d.retried as number));
    expect(out.statements[0]!.lockWaitMs).toBeLessThanOrEqual(committedMs - stepStart);
    expect(h.ctx.runStartMs + out.statements[0]!.endMs).toBeGreaterThanOrEqual(commitSentMs);
    expect(h.logs.some((l) => /retry 1\/5/.test(l))).toBe(true);
    expect((await runVerifyStep(VERIFY, h.ctx)).details).toEqual({ discrepancies: 0 });
    await h.close();
  });

  it('should fail with the last committed key when a batch keeps failing, having committed the batches before it', async () => {
    const h = await stepHarness(handle, SETUP);
    // Holds the row lock until the step has given up.
    const blocker = new pg.Client({ connectionString: h.url, application_name: 'test-blocker' });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('UPDATE users SET balance = balance WHERE id = 5000');
    try {
      await h.ctx.migration.query("SET lock_timeout = '100ms'");
      const err = await runBackfillStep({ kind: 'backfill', name: 'bf', table: 'users', set: 'balance_new = balance', batchSize: 1000, delayMs: 0 }, h.ctx).catch((e) => e);
      expect(err).toBeInstanceOf(StepFailure);
      expect(err.sqlstate).toBe('55P03');
      // The batches before the one holding id 5000 committed; that one never did.
      const done = (await h.ctx.migration.query<{ c: number; last: string }>('SELECT count(*)::int AS c, max(id)::text AS last FROM users WHERE balance_new IS NOT NULL')).rows[0]!;
      expect(Number(done.last)).toBeLessThan(5000);
      expect(Number(done.last)).toBeGreaterThan(3000);
      expect(err.message).toContain(`id ${done.last}`);
      expect(err.outcome.details).toMatchObject({ rowsUpdated: done.c, rowsScanned: done.c });
      expect(err.outcome.statements[0].status).toBe('failed');
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
      await h.close();
    }
  });

  it('should end exact with the app writing both columns while it runs', async () => {
    const h = await stepHarness(handle, SETUP);
    const before = (await h.ctx.migration.query<{ s: string; n: number }>('SELECT sum(balance)::text AS s, count(*)::int AS n FROM users')).rows[0]!;
    // The app in dual-write mode: updates write both columns from the same old value; inserts too.
    let stop = false;
    let deltas = 0n;
    let updates = 0;
    let inserts = 0;
    const writers = Array.from({ length: 4 }, async (_, k) => {
      const c = new pg.Client({ connectionString: h.url, application_name: `test-app-${k}` });
      await c.connect();
      for (let i = 0; !stop; i++) {
        // Inserts are bounded: on a busy machine unbounded ones at the key's tail can outrun the batches.
        if (i % 10 === 9 && inserts < 400) {
          const id = 1_000_000 * (k + 1) + i;
          await c.query('INSERT INTO users (id, balance, balance_new) VALUES ($1, 7, 7)', [id]);
          inserts++;
          deltas += 7n;
        } else {
          const id = 1 + ((i * 7919 + k * 104_729) % 12345);
          const delta = (i % 201) - 100;
          const r = await c.query('UPDATE users SET balance = balance + $2, balance_new = balance + $2 WHERE id = $1', [id, delta]);
          if (r.rowCount === 1) {
            updates++;
            deltas += BigInt(delta);
          }
        }
      }
      await c.end();
    });
    await new Promise((r) => setTimeout(r, 100));
    const updatesAtStart = updates;
    const out = await runBackfillStep({ kind: 'backfill', name: 'bf', table: 'users', set: 'balance_new = balance', where: 'balance_new IS DISTINCT FROM balance', batchSize: 300, delayMs: 5 }, h.ctx);
    const updatesDuring = updates - updatesAtStart;
    stop = true;
    await Promise.all(writers);
    expect(updatesDuring).toBeGreaterThan(50); // the app really wrote while the backfill ran
    expect(inserts).toBeGreaterThan(0);
    // Exact: every row agrees, and no app write was lost or overwritten by a batch.
    expect((await runVerifyStep(VERIFY, h.ctx)).details).toEqual({ discrepancies: 0 });
    const after = (await h.ctx.migration.query<{ s: string; n: number }>('SELECT sum(balance)::text AS s, count(*)::int AS n FROM users')).rows[0]!;
    expect(after.n).toBe(before.n + inserts);
    expect(BigInt(after.s)).toBe(BigInt(before.s) + deltas);
    const rows = 12345 - Math.floor(12345 / 7);
    expect(out.details).toMatchObject({ rowsScanned: expect.any(Number) });
    expect((out.details as { rowsScanned: number }).rowsScanned).toBeGreaterThanOrEqual(rows);
    expect((out.details as { rowsScanned: number }).rowsScanned).toBeLessThanOrEqual(rows + inserts);
    await h.close();
  });
});

describe('verify reads only an explicit count as a count', () => {
  // Verify queries only read: one database serves them all.
  let h: Awaited<ReturnType<typeof stepHarness>>;
  beforeAll(async () => { h = await stepHarness(handle, SETUP); });
  afterAll(async () => { await h?.close(); });
  const verify = (sql: string) => ({ kind: 'verify', name: 'verify', sql }) as const;
  const outcome = (sql: string) =>
    runVerifyStep(verify(sql), h.ctx).then((o) => ({ passed: true, details: o.details }), (e: StepFailure) => ({ passed: false, details: e.outcome?.details, message: e.message }));

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
    const { released } = await holdLock(h.url, 'UPDATE users SET balance = balance + 1 WHERE id = 3', 800);
    const out = await runBackfillStep({ kind: 'backfill', name: 'bf', table: 'users', set: 'balance_new = balance', batchSize: 100000, delayMs: 0 }, h.ctx);
    await released;
    expect(out.statements[0]!.lockWaitMs).toBeGreaterThan(600);
    await h.close();
  });
});
