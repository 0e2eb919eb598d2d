import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RehearseError } from '../errors.ts';
import { createScratchDatabase, type ScratchDatabase } from '../seed/scratch-db.ts';
import { TEST_DATABASE_URL, needsDb } from '../seed/test-env.ts';
import { applyBaseline } from './apply-baseline.ts';
import { planBaseline } from './plan-baseline.ts';

const file = (path: string, sql: string) => ({ path, name: path, sql });

// What pg_dump 18 writes, trimmed: \restrict, set_config, a function with a dollar-quoted body
// holding a line that starts with a backslash, an owner that does not exist on this server.
const DUMP = `\\restrict AbCdEf123
SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;
CREATE TYPE public.status AS ENUM ('active');
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.note := 'a; b
\\this line is not a meta-command: it is inside a string of the body';
  RETURN NEW;
END $$;
ALTER FUNCTION public.touch() OWNER TO app_owner_${process.pid};
CREATE TABLE public."Account" ("Id" integer NOT NULL, email public.citext, status public.status, note text);
\\unrestrict AbCdEf123
`;

// A migration history file: its own transaction, an enum value used right after it is added,
// a statement that cannot run in a transaction, a missing final semicolon, unqualified names.
const MIGRATION = `BEGIN;
ALTER TABLE "Account" ADD COLUMN "createdAt" timestamptz;
COMMIT;
ALTER TYPE status ADD VALUE 'closed';
UPDATE "Account" SET status = 'closed' WHERE false;
CREATE INDEX CONCURRENTLY account_email ON "Account" (email);
CREATE TRIGGER t BEFORE UPDATE ON "Account" FOR EACH ROW EXECUTE FUNCTION touch()`;

const failure = async (p: Promise<unknown>): Promise<RehearseError> => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(RehearseError);
  return err as RehearseError;
};

describe('planBaseline', () => {
  it('should report every syntax error of every file together, with file:line:col', async () => {
    const err = await failure(planBaseline([file('a.sql', 'SELECT 1;\nCREATE TABLE x (id int,);'), file('b.sql', '\n\n  SELEC 2;')]));
    expect(err.code).toBe('REH_SQL_SYNTAX');
    expect(err.message).toContain('a.sql:2:24: syntax error at or near ")"');
    expect(err.message).toContain('b.sql:3:3: syntax error at or near "SELEC"');
    expect(err.where).toBe('a.sql:2:24');
  });

  it('should set psql meta-commands aside with their lines, and find the extensions and roles needed', async () => {
    const plan = await planBaseline([file('dump.sql', DUMP)]);
    expect(plan.skippedMeta).toEqual(['dump.sql:1: \\restrict AbCdEf123', 'dump.sql:14: \\unrestrict AbCdEf123']);
    expect(plan.extensions).toEqual([{ name: 'citext', where: 'dump.sql:4' }]);
    expect(plan.roles).toEqual([`app_owner_${process.pid}`]);
    expect(plan.statements.find((s) => s.kind === 'CreateFunctionStmt')!.sql).toContain('\\this line is not a meta-command');
  });
});

describe.skipIf(!TEST_DATABASE_URL)(needsDb('applyBaseline'), () => {
  const dbs: ScratchDatabase[] = [];
  const clients: pg.Client[] = [];
  const connect = async () => {
    const db = await createScratchDatabase(TEST_DATABASE_URL!, 'rehearse_baseline');
    dbs.push(db);
    const c = new pg.Client(db.url);
    await c.connect();
    clients.push(c);
    return c;
  };
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end()));
    await Promise.all(dbs.map((d) => d.drop()));
  });

  let c: pg.Client;
  beforeAll(async () => {
    c = await connect();
  });

  it('should apply a pg_dump file and a migration with its own transaction, enum values and CONCURRENTLY', async () => {
    const res = await applyBaseline(c, [file('dump.sql', DUMP), file('0002_more.sql', MIGRATION)]);
    expect(res.statements).toBe(14);
    expect(res.notes.join('\n')).toContain('dump.sql:1: \\restrict');
    expect(res.notes.join('\n')).toContain(`app_owner_${process.pid}`);
    const cols = await c.query(`SELECT attname FROM pg_attribute WHERE attrelid = 'public."Account"'::regclass AND attnum > 0 ORDER BY attnum`);
    expect(cols.rows.map((r) => r.attname)).toEqual(['Id', 'email', 'status', 'note', 'createdAt']);
    const idx = await c.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.account_email'::regclass`);
    expect(idx.rows).toEqual([{ indisvalid: true }]);
    const owner = await c.query(`SELECT pg_get_userbyid(proowner) AS o FROM pg_proc WHERE proname = 'touch'`);
    expect(owner.rows[0].o).toBe(`app_owner_${process.pid}`);
    // The dump's empty search_path did not leak past its file, nor past the apply.
    expect((await c.query('SHOW search_path')).rows[0].search_path).toBe('"$user", public');
  });

  it('should name the failing statement with file:line:col, its SQLSTATE and the server message', async () => {
    const c2 = await connect();
    const err = await failure(applyBaseline(c2, [file('ok.sql', 'CREATE TABLE a (id int);'), file('bad.sql', 'CREATE TABLE b (id int);\n\nALTER TABLE a\n  ADD COLUMN x int REFERENCES missing (id);')]));
    expect(err.code).toBe('REH_BASELINE_FAILED');
    expect(err.where).toBe('bad.sql:3');
    expect(err.message).toContain('SQLSTATE 42P01');
    expect(err.message).toContain('relation "missing" does not exist');
    const pos = await failure(applyBaseline(await connect(), [file('pos.sql', '\nSELECT 1;\nSELECT\n  nope FROM pg_class;')]));
    expect(pos.where).toBe('pos.sql:4:3');
  });

  it('should roll back a failing transaction of the file, and refuse a file that never commits', async () => {
    const c3 = await connect();
    const err = await failure(applyBaseline(c3, [file('tx.sql', 'BEGIN;\nCREATE TABLE t1 (id int);\nSELECT 1/0;\nCOMMIT;')]));
    expect(err.where).toBe('tx.sql:3');
    expect((await c3.query(`SELECT to_regclass('t1') AS t`)).rows[0].t).toBeNull();
    const open = await failure(applyBaseline(await connect(), [file('open.sql', 'SELECT 1;\nBEGIN;\nCREATE TABLE t2 (id int);')]));
    expect(open.code).toBe('REH_BASELINE_FAILED');
    expect(open.where).toBe('open.sql:2');
  });

  it('should refuse an extension the server does not have, before running anything', async () => {
    const c4 = await connect();
    const err = await failure(applyBaseline(c4, [file('ext.sql', 'CREATE TABLE before_ext (id int);\nCREATE EXTENSION IF NOT EXISTS postgis;\nCREATE EXTENSION pg_trgm;')]));
    expect(err.code).toBe('REH_BASELINE_EXTENSION_MISSING');
    expect(err.message).toContain('"postgis" (ext.sql:2)');
    expect(err.message).not.toContain('"pg_trgm" (');
    expect((await c4.query(`SELECT to_regclass('before_ext') AS t`)).rows[0].t).toBeNull();
  });
});
