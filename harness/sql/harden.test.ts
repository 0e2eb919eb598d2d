// --harden's rewrites, statement by statement, read back through PostgreSQL's parser.
import { describe, expect, it } from 'vitest';
import { hardenReady, hardenStatements, unitsToSql } from './harden.ts';
import { splitStatements } from './split-statements.ts';

async function harden(sql: string, grouped = true) {
  await hardenReady();
  const r = hardenStatements(await splitStatements(sql), { lockTimeoutMs: 500, grouped, createdTables: new Set(), step: 'migrate' });
  return { ...r, sql: unitsToSql(r.units, 500), parsed: await splitStatements(unitsToSql(r.units, 500)) };
}

describe('harden', () => {
  it('should turn CREATE INDEX into CONCURRENTLY, alone outside the transaction', async () => {
    const r = await harden('ALTER TABLE orders ADD COLUMN note text; CREATE INDEX orders_status_idx ON orders (status, created_at)');
    expect(r.units).toEqual([
      { transaction: true, lockTimeout: true, statements: ['ALTER TABLE orders ADD COLUMN note text'] },
      { transaction: false, lockTimeout: false, statements: ['CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status, created_at)'] },
    ]);
    expect(r.rewrites.map((w) => w.pattern)).toEqual(['lock-timeout-retry', 'create-index-concurrently']);
    expect(r.parsed.find((s) => s.kind === 'IndexStmt')?.noTransaction).toBe(true);
  });

  it('should leave an index on a table created in the same migration alone', async () => {
    const r = await harden('CREATE TABLE t (id int); CREATE INDEX t_id ON t (id)');
    expect(r.rewrites).toEqual([]);
    expect(r.units).toEqual([{ transaction: true, lockTimeout: false, statements: ['CREATE TABLE t (id int)', 'CREATE INDEX t_id ON t (id)'] }]);
  });

  it('should split ADD FOREIGN KEY into NOT VALID and VALIDATE in separate transactions, naming the constraint as PostgreSQL would', async () => {
    const r = await harden('ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id)');
    expect(r.units).toEqual([
      { transaction: true, lockTimeout: true, statements: ['ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID'] },
      { transaction: true, lockTimeout: false, statements: ['ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey'] },
    ]);
    expect(r.rewrites[0]).toMatchObject({ pattern: 'fk-not-valid', before: 'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id)' });
  });

  it('should replace SET NOT NULL by a validated CHECK, quoting identifiers as written', async () => {
    const r = await harden('ALTER TABLE "Users" ALTER COLUMN "eMail" SET NOT NULL');
    expect(r.units.map((u) => u.statements)).toEqual([
      ['ALTER TABLE "Users" ADD CONSTRAINT "Users_eMail_not_null" CHECK ("eMail" IS NOT NULL) NOT VALID'],
      ['ALTER TABLE "Users" VALIDATE CONSTRAINT "Users_eMail_not_null"'],
      ['ALTER TABLE "Users" ALTER COLUMN "eMail" SET NOT NULL', 'ALTER TABLE "Users" DROP CONSTRAINT "Users_eMail_not_null" RESTRICT'],
    ]);
    expect(r.units.map((u) => u.lockTimeout)).toEqual([true, false, true]);
  });

  it('should build a unique constraint from an index built concurrently', async () => {
    const r = await harden('ALTER TABLE users ADD CONSTRAINT users_code_key UNIQUE (code)');
    expect(r.units).toEqual([
      { transaction: false, lockTimeout: false, statements: ['CREATE UNIQUE INDEX CONCURRENTLY users_code_key ON users (code)'] },
      { transaction: true, lockTimeout: true, statements: ['ALTER TABLE users ADD CONSTRAINT users_code_key UNIQUE USING INDEX users_code_key'] },
    ]);
  });

  it('should say there is no safe rewrite for a type change or a volatile default, and still bound their lock wait', async () => {
    const r = await harden("ALTER TABLE users ALTER COLUMN balance TYPE bigint; ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid(); ALTER TABLE users ADD COLUMN plan text DEFAULT 'free'");
    expect(r.rewrites.map((w) => w.pattern)).toEqual(['none', 'none', 'lock-timeout-retry']);
    expect(r.rewrites[0]!.note).toContain('scenarios/change-column-type.ts');
    expect(r.rewrites[1]!.note).toContain('safe-volatile');
    expect(r.units).toEqual([{ transaction: true, lockTimeout: true, statements: r.rewrites.map((w) => w.before) }]);
    expect(r.sql.split('\n')[1]).toBe("SET LOCAL lock_timeout = '500ms';");
  });

  it('should keep explicit transaction blocks and autocommit statements where the SQL put them', async () => {
    const r = await harden('BEGIN; UPDATE users SET balance = 0 WHERE id = 1; COMMIT; VACUUM users; DROP INDEX CONCURRENTLY IF EXISTS x');
    expect(r.rewrites).toEqual([]);
    expect(r.units).toEqual([
      { transaction: true, lockTimeout: false, statements: ['UPDATE users SET balance = 0 WHERE id = 1'], end: 'commit' },
      { transaction: false, lockTimeout: false, statements: ['VACUUM users'] },
      { transaction: false, lockTimeout: false, statements: ['DROP INDEX CONCURRENTLY IF EXISTS x'] },
    ]);
  });
});
