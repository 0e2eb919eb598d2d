import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { now } from '../clock.ts';
import { startEmbeddedPostgres } from '../postgres/embedded.ts';
import type { PostgresHandle } from '../postgres/provider.ts';
import { holdLock, stepHarness } from '../testing/step-harness.ts';
import { runSqlStep } from './sql-step.ts';
import { StepFailure } from './step-context.ts';

const SETUP = `CREATE TABLE users (id bigint PRIMARY KEY, balance int NOT NULL DEFAULT 0);
INSERT INTO users SELECT g, g % 100 FROM generate_series(1, 20000) g;`;

let handle: PostgresHandle;
beforeAll(async () => { handle = await startEmbeddedPostgres(); });
afterAll(async () => { await handle?.stop(); });

describe('sql step', () => {
  it('should report a rewrite and ACCESS EXCLUSIVE for ALTER COLUMN TYPE', async () => {
    const h = await stepHarness(handle, SETUP);
    const out = await runSqlStep({ kind: 'sql', name: 'alter', sql: 'ALTER TABLE users ALTER COLUMN balance TYPE bigint' }, h.ctx);
    const [s] = out.statements;
    expect(s!.rewrote).toBe(true);
    expect(s!.rewrittenRelations).toEqual(['users', 'users_pkey']);
    expect(s!.locks).toContainEqual({ locktype: 'relation', mode: 'AccessExclusiveLock', relation: 'users' });
    expect(s!.attempts).toHaveLength(1);
    await h.close();
  });

  it('should report no rewrite for a nullable ADD COLUMN', async () => {
    const h = await stepHarness(handle, SETUP);
    const out = await runSqlStep({ kind: 'sql', name: 'add', sql: 'ALTER TABLE users ADD COLUMN note jsonb' }, h.ctx);
    expect(out.statements[0]!.rewrote).toBe(false);
    expect(out.statements[0]!.rewrittenRelations).toEqual([]);
    expect(out.statements[0]!.locks.map((l) => l.mode)).toContain('AccessExclusiveLock');
    await h.close();
  });

  it('should report a rewrite for ADD COLUMN with a volatile default', async () => {
    const h = await stepHarness(handle, SETUP);
    const out = await runSqlStep({ kind: 'sql', name: 'add', sql: 'ALTER TABLE users ADD COLUMN token float8 DEFAULT random()' }, h.ctx);
    expect(out.statements[0]!.rewrote).toBe(true);
    expect(out.statements[0]!.rewrittenRelations).toEqual(['users', 'users_pkey']);
    await h.close();
  });

  it('should report no rewrite for varchar(n) → text, a binary-coercible change, even with an index on the column', async () => {
    const h = await stepHarness(handle, `${SETUP}
      ALTER TABLE users ADD COLUMN name varchar(100); UPDATE users SET name = 'user ' || id; CREATE INDEX users_name_idx ON users (name);`);
    const out = await runSqlStep({ kind: 'sql', name: 'widen', sql: 'ALTER TABLE users ALTER COLUMN name TYPE text' }, h.ctx);
    const s = out.statements[0]!;
    expect(s.status).toBe('ok');
    expect(s.rewrote).toBe(false);
    expect(s.rewrittenRelations).toEqual([]);
    expect(s.locks).toContainEqual({ locktype: 'relation', mode: 'AccessExclusiveLock', relation: 'users' });
    // …whereas text → varchar(50) must check every row, and int → bigint rewrites: the negative is not blind.
    const narrow = await runSqlStep({ kind: 'sql', name: 'retype', sql: 'ALTER TABLE users ALTER COLUMN balance TYPE bigint' }, h.ctx);
    expect(narrow.statements[0]!.rewrittenRelations).toEqual(['users', 'users_name_idx', 'users_pkey']);
    await h.close();
  });

  it('should report the rewrite of VACUUM FULL, which runs outside a transaction block', async () => {
    const h = await stepHarness(handle, SETUP);
    const out = await runSqlStep({ kind: 'sql', name: 'vacuum', sql: 'VACUUM FULL users' }, h.ctx);
    const s = out.statements[0]!;
    expect(s.status).toBe('ok');
    expect(s.rewrote).toBe(true);
    expect(s.rewrittenRelations).toEqual(['users', 'users_pkey']);
    // It really ran in autocommit: no transaction is left open on the migration session.
    const { rows } = await h.ctx.migration.query<{ open: boolean }>("SELECT now() <> statement_timestamp() AS open");
    expect(rows[0]!.open).toBe(false);
    await h.close();
  });

  it('should measure the time a statement waits behind a reader as the reader\'s remaining hold', async () => {
    const h = await stepHarness(handle, SETUP);
    const hold = await holdLock(h.url, 'SELECT count(*) FROM users', 1000);
    const stepStart = now();
    const out = await runSqlStep({ kind: 'sql', name: 'add', sql: 'ALTER TABLE users ADD COLUMN c int' }, h.ctx);
    const { commitSentMs, committedMs } = await hold.released;
    const s = out.statements[0]!;
    // The ALTER queued after the step started and got its lock when the reader committed: the wait
    // is the reader's remaining hold, measured here, less the step's own round trips and one poll.
    expect(s.lockWaitMs).toBeLessThanOrEqual(committedMs - stepStart);
    expect(s.lockWaitMs).toBeGreaterThanOrEqual(commitSentMs - stepStart - 150);
    expect(s.attempts).toEqual([expect.objectContaining({ attempt: 1, lockWaitMs: s.lockWaitMs })]);
    // The statement ended once the lock was granted: within a few round trips of the commit.
    expect(h.ctx.runStartMs + s.endMs).toBeGreaterThanOrEqual(commitSentMs);
    expect(h.ctx.runStartMs + s.endMs).toBeLessThanOrEqual(committedMs + 150);
    await h.close();
  });

  it('should retry on lock_timeout (55P03), count each timed-out attempt as lock_timeout of waiting, and the last as the rest of the hold', async () => {
    const h = await stepHarness(handle, SETUP);
    const hold = await holdLock(h.url, 'SELECT count(*) FROM users', 1200);
    const stepStart = now();
    const out = await runSqlStep({ kind: 'sql', name: 'add', sql: 'ALTER TABLE users ADD COLUMN c int', lockTimeoutMs: 200, backoffMs: 100 }, h.ctx);
    const { commitSentMs, committedMs } = await hold.released;
    const s = out.statements[0]!;
    expect(s.status).toBe('ok');
    expect(s.attempts.length).toBeGreaterThan(1);
    const failed = s.attempts.slice(0, -1);
    const last = s.attempts.at(-1)!;
    expect(failed.every((a) => a.error?.sqlstate === '55P03')).toBe(true);
    expect(last.error).toBeUndefined();
    // The server cancels a lock wait after exactly lock_timeout: each failed attempt waited that long.
    for (const a of failed) {
      expect(a.lockWaitMs).toBeGreaterThanOrEqual(200);
      expect(a.lockWaitMs).toBeLessThanOrEqual(240);
    }
    // Every failed attempt ended while the reader still held its lock, and the last one waited for the rest.
    for (const a of failed) expect(h.ctx.runStartMs + a.startMs + a.lockWaitMs).toBeLessThanOrEqual(committedMs);
    const lastStart = h.ctx.runStartMs + last.startMs;
    expect(last.lockWaitMs).toBeLessThanOrEqual(Math.max(0, committedMs - lastStart));
    expect(last.lockWaitMs).toBeGreaterThanOrEqual(Math.max(0, commitSentMs - lastStart - 150));
    expect(s.lockWaitMs).toBe(s.attempts.reduce((n, a) => n + a.lockWaitMs, 0));
    expect(s.lockWaitMs).toBeLessThanOrEqual(committedMs - stepStart);
    await h.close();
  });

  it('should fail with the SQLSTATE and keep the trace when retries run out', async () => {
    const h = await stepHarness(handle, SETUP);
    const hold = await holdLock(h.url, 'SELECT count(*) FROM users', 1500);
    const err = await runSqlStep({ kind: 'sql', name: 'add', sql: 'ALTER TABLE users ADD COLUMN c int', lockTimeoutMs: 100, retries: 1, backoffMs: 50 }, h.ctx).catch((e) => e);
    const { commitSentMs } = await hold.released;
    expect(err).toBeInstanceOf(StepFailure);
    expect(err.sqlstate).toBe('55P03');
    const attempts = err.outcome.statements[0].attempts;
    expect(attempts).toHaveLength(2);
    for (const a of attempts) {
      expect(a.error.sqlstate).toBe('55P03');
      expect(a.lockWaitMs).toBeGreaterThanOrEqual(100);
      expect(a.lockWaitMs).toBeLessThanOrEqual(140);
      expect(h.ctx.runStartMs + a.startMs + a.durationMs).toBeLessThan(commitSentMs); // gave up while still blocked
    }
    expect(err.outcome.statements[0].status).toBe('failed');
    await h.close();
  });

  it('should roll back a multi-statement step as one transaction and skip the rest', async () => {
    const h = await stepHarness(handle, SETUP);
    const err = await runSqlStep({ kind: 'sql', name: 'two', sql: ['ALTER TABLE users ADD COLUMN a int', 'SELECT 1/0', 'ALTER TABLE users ADD COLUMN b int'] }, h.ctx).catch((e) => e);
    expect(err.sqlstate).toBe('22012');
    expect(err.outcome.statements.map((s: { status: string }) => s.status)).toEqual(['ok', 'failed', 'skipped']);
    const cols = await h.ctx.migration.query("SELECT 1 FROM information_schema.columns WHERE table_name='users' AND column_name='a'");
    expect(cols.rowCount).toBe(0);
    await h.close();
  });

  it('should see locks of a statement run outside a transaction block', async () => {
    const h = await stepHarness(handle, SETUP);
    // A writer's open transaction makes the build wait (holding its lock) for 400 ms: long enough
    // for the lock watcher to see it however fast the build itself is.
    const writer = await holdLock(h.url, 'LOCK TABLE users IN ROW EXCLUSIVE MODE', 400);
    const out = await runSqlStep({ kind: 'sql', name: 'cic', sql: 'CREATE INDEX CONCURRENTLY users_balance_idx ON users (balance)', transaction: false }, h.ctx);
    await writer.released;
    expect(out.statements[0]!.status).toBe('ok');
    expect(out.statements[0]!.locks.map((l) => l.mode)).toContain('ShareUpdateExclusiveLock');
    await h.close();
  });
});
