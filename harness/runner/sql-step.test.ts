import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    expect(s!.rewrittenRelations).toEqual(expect.arrayContaining(['users', 'users_pkey']));
    expect(s!.locks).toContainEqual({ locktype: 'relation', mode: 'AccessExclusiveLock', relation: 'users' });
    expect(s!.attempts).toHaveLength(1);
    await h.close();
  });

  it('should report no rewrite for a nullable ADD COLUMN', async () => {
    const h = await stepHarness(handle, SETUP);
    const out = await runSqlStep({ kind: 'sql', name: 'add', sql: 'ALTER TABLE users ADD COLUMN note jsonb' }, h.ctx);
    expect(out.statements[0]!.rewrote).toBe(false);
    expect(out.statements[0]!.locks.map((l) => l.mode)).toContain('AccessExclusiveLock');
    await h.close();
  });

  it('should report a rewrite for ADD COLUMN with a volatile default', async () => {
    const h = await stepHarness(handle, SETUP);
    const out = await runSqlStep({ kind: 'sql', name: 'add', sql: 'ALTER TABLE users ADD COLUMN token float8 DEFAULT random()' }, h.ctx);
    expect(out.statements[0]!.rewrote).toBe(true);
    await h.close();
  });

  it('should measure the time a statement waits behind a reader', async () => {
    const h = await stepHarness(handle, SETUP);
    const { released } = await holdLock(h.url, 'SELECT count(*) FROM users', 1000);
    const out = await runSqlStep({ kind: 'sql', name: 'add', sql: 'ALTER TABLE users ADD COLUMN c int' }, h.ctx);
    await released;
    const s = out.statements[0]!;
    expect(s.lockWaitMs).toBeGreaterThan(800);
    expect(s.lockWaitMs).toBeLessThanOrEqual(s.durationMs);
    expect(s.durationMs).toBeLessThan(1600);
    await h.close();
  });

  it('should retry on lock_timeout (55P03) and record every attempt', async () => {
    const h = await stepHarness(handle, SETUP);
    const { released } = await holdLock(h.url, 'SELECT count(*) FROM users', 1200);
    const out = await runSqlStep({ kind: 'sql', name: 'add', sql: 'ALTER TABLE users ADD COLUMN c int', lockTimeoutMs: 200, backoffMs: 100 }, h.ctx);
    await released;
    const s = out.statements[0]!;
    expect(s.status).toBe('ok');
    expect(s.attempts.length).toBeGreaterThan(1);
    expect(s.attempts.slice(0, -1).every((a) => a.error?.sqlstate === '55P03')).toBe(true);
    expect(s.attempts.at(-1)!.error).toBeUndefined();
    expect(s.lockWaitMs).toBeGreaterThanOrEqual(200 * (s.attempts.length - 1) - 50);
    await h.close();
  });

  it('should fail with the SQLSTATE and keep the trace when retries run out', async () => {
    const h = await stepHarness(handle, SETUP);
    const { released } = await holdLock(h.url, 'SELECT count(*) FROM users', 1500);
    const err = await runSqlStep({ kind: 'sql', name: 'add', sql: 'ALTER TABLE users ADD COLUMN c int', lockTimeoutMs: 100, retries: 1, backoffMs: 50 }, h.ctx).catch((e) => e);
    await released;
    expect(err).toBeInstanceOf(StepFailure);
    expect(err.sqlstate).toBe('55P03');
    expect(err.outcome.statements[0].attempts).toHaveLength(2);
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
    const out = await runSqlStep({ kind: 'sql', name: 'cic', sql: 'CREATE INDEX CONCURRENTLY users_balance_idx ON users (balance)', transaction: false }, h.ctx);
    expect(out.statements[0]!.status).toBe('ok');
    expect(out.statements[0]!.locks.map((l) => l.mode)).toContain('ShareUpdateExclusiveLock');
    await h.close();
  });
});
