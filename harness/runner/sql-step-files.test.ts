// Migration files as users write them: statements traced with their file:line, transactions as
// the file (or its tool) defines them, locks held until the transaction that took them ends.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../postgres/embedded.ts';
import type { PostgresHandle } from '../postgres/provider.ts';
import { resolveSqlFileStep } from '../plan/sql-files.ts';
import type { SqlStep } from '../scenario.ts';
import { stepHarness } from '../testing/step-harness.ts';
import { holdsAccessExclusive } from '../model/locks.ts';
import { runSqlStep, sqlStep } from './sql-step.ts';

const SETUP = `CREATE TABLE accounts (id bigint PRIMARY KEY, balance int NOT NULL DEFAULT 0);
INSERT INTO accounts SELECT g, g % 100 FROM generate_series(1, 5000) g;`;

let handle: PostgresHandle;
beforeAll(async () => { handle = await startEmbeddedPostgres(); });
afterAll(async () => { await handle?.stop(); });

const dir = mkdtempSync(path.join(tmpdir(), 'rehearse-sqlfiles-'));
const fileStep = (name: string, body: string): SqlStep => {
  writeFileSync(path.join(dir, name), body);
  return resolveSqlFileStep({ kind: 'sql', name, file: name }, dir);
};

describe('sql steps from migration files', () => {
  it('should trace every statement with its file:line, dollar-quoted bodies included', async () => {
    const h = await stepHarness(handle, SETUP);
    const step = fileStep('001_fn.sql', `-- a function, then a trigger that uses it
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.balance := NEW.balance; -- semicolons inside the body; BEGIN too
  RETURN NEW;
END $$;

CREATE TRIGGER accounts_touch BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE accounts ADD COLUMN note text`);
    const out = await runSqlStep(step, h.ctx);
    expect(out.statements.map((s) => s.source?.line)).toEqual([2, 8, 9]);
    expect(out.statements.every((s) => s.source?.file.endsWith('001_fn.sql'))).toBe(true);
    expect(out.statements.every((s) => s.status === 'ok' && s.transaction === 1)).toBe(true);
    await h.close();
  });

  it('should hold the first statement\'s locks until the file\'s one transaction commits', async () => {
    const h = await stepHarness(handle, SETUP);
    const out = await runSqlStep(fileStep('002_two.sql', 'ALTER TABLE accounts ADD COLUMN a int;\nSELECT pg_sleep(0.3);'), h.ctx);
    const [alter, sleep] = out.statements;
    expect(alter!.locks).toContainEqual({ locktype: 'relation', mode: 'AccessExclusiveLock', relation: 'accounts' });
    // Released at commit, after the sleep: ≥ 300 ms after the ALTER ended.
    expect(alter!.heldUntilMs! - alter!.endMs).toBeGreaterThanOrEqual(290);
    expect(alter!.heldUntilMs).toBe(sleep!.heldUntilMs);
    await h.close();
  });

  it('should honour BEGIN/COMMIT in the file and run CREATE INDEX CONCURRENTLY outside any transaction', async () => {
    const h = await stepHarness(handle, SETUP);
    const out = await runSqlStep(fileStep('003_mixed.sql', `BEGIN;
ALTER TABLE accounts ADD COLUMN b int;
COMMIT;
CREATE INDEX CONCURRENTLY accounts_b_idx ON accounts (b);
ALTER TABLE accounts ADD COLUMN c int;`), h.ctx);
    expect(out.statements.map((s) => [s.source?.line, s.transaction ?? null, s.status])).toEqual([[2, 1, 'ok'], [4, null, 'ok'], [5, 2, 'ok']]);
    // The ALTER's exclusive lock was released at its COMMIT, before the index build began.
    expect(out.statements[0]!.heldUntilMs!).toBeLessThanOrEqual(out.statements[1]!.startMs);
    // The build's own index is locked ACCESS EXCLUSIVE while it is invisible to everyone else: no exclusive hold.
    expect(out.statements[1]!.createdRelations).toEqual(['accounts_b_idx']);
    expect(holdsAccessExclusive(out.statements[1]!)).toBe(false);
    expect(holdsAccessExclusive(out.statements[0]!)).toBe(true);
    const valid = await h.ctx.migration.query("SELECT indisvalid FROM pg_index WHERE indexrelid = 'accounts_b_idx'::regclass");
    expect(valid.rows[0].indisvalid).toBe(true);
    await h.close();
  });

  it('should not count locks on a table created earlier in the same transaction as exclusive holds', async () => {
    const h = await stepHarness(handle, SETUP);
    const out = await runSqlStep(fileStep('007_new_table.sql', 'CREATE TABLE audit (id bigint PRIMARY KEY, at timestamptz);\nALTER TABLE audit ADD COLUMN who text;'), h.ctx);
    expect(out.statements[1]!.createdRelations).toEqual(['audit', 'audit_pkey']);
    expect(out.statements[1]!.locks.map((l) => l.mode)).toContain('AccessExclusiveLock');
    expect(out.statements.some(holdsAccessExclusive)).toBe(false);
    await h.close();
  });

  it('should run only the up section of a dbmate file, with true line numbers', async () => {
    const h = await stepHarness(handle, SETUP);
    const step = fileStep('004_dbmate.sql', '-- migrate:up transaction:false\n\nALTER TABLE accounts ADD COLUMN d int;\nCREATE INDEX CONCURRENTLY accounts_d_idx ON accounts (d);\n\n-- migrate:down\nALTER TABLE accounts DROP COLUMN d;\n');
    expect(step.transaction).toBe(false);
    const out = await runSqlStep(step, h.ctx);
    expect(out.statements.map((s) => [s.source?.line, s.transaction ?? null])).toEqual([[3, null], [4, null]]);
    await h.close();
  });

  it('should report a syntax error in a file as file:line:col before anything runs', async () => {
    const problems = await sqlStep.validate(fileStep('005_typo.sql', 'ALTER TABLE accounts ADD COLUMN e int;\n\nALTER TABLE accounts ADD COLUM f int;'), { versions: [] });
    expect(problems).toEqual([expect.stringMatching(/005_typo\.sql:3:34: SQL syntax error: syntax error at or near "int"/)]);
  });

  it('should refuse CONCURRENTLY inside an explicit transaction at validation, with both places', async () => {
    const problems = await sqlStep.validate(fileStep('006_bad.sql', 'BEGIN;\nCREATE INDEX CONCURRENTLY x ON accounts (balance);\nCOMMIT;'), { versions: [] });
    expect(problems).toEqual([expect.stringMatching(/006_bad\.sql:2: .*transaction block opened at .*006_bad\.sql:1/)]);
  });
});
