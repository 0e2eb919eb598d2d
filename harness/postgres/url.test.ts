import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RehearseError } from '../errors.ts';
import { cloneDatabase, createDatabase, dropDatabase } from './databases.ts';
import { startEmbeddedPostgres } from './embedded.ts';
import type { PostgresHandle } from './provider.ts';
import { resetDatabase } from './reset-database.ts';
import { connectUrlPostgres } from './url.ts';

// A real password-protected, non-superuser role on a real server: the guard and the redaction
// are tested where they matter.
const PASSWORD = 'Sup3r$ecret:p@ss/word';
let server: PostgresHandle;
const sql = async (q: string, db = 'postgres') => {
  const c = new pg.Client({ connectionString: server.url(db) });
  await c.connect();
  try {
    return await c.query(q);
  } finally {
    await c.end();
  }
};
const roleUrl = (role: string, db: string, password = PASSWORD) =>
  `postgres://${role}:${encodeURIComponent(password)}@127.0.0.1:${server.port}/${db}`;

async function codeOf(p: Promise<unknown>): Promise<RehearseError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(RehearseError);
  return err as RehearseError;
}

/** Everything a user could ever see of an error: message, hint, formatted form, causes. */
function visible(err: unknown): string {
  const parts: string[] = [];
  for (let e = err as (Error & { format?: () => string; hint?: string }) | undefined; e; e = e.cause as typeof e) {
    parts.push(String(e.message), e.hint ?? '', e.format?.() ?? '', String(e.stack));
  }
  return parts.join('\n');
}

beforeAll(async () => {
  server = await startEmbeddedPostgres();
  // scram-sha-256 for everything but the superuser, so the password is really checked.
  const hba = (await sql(`SHOW hba_file`)).rows[0].hba_file as string;
  await sql(`COPY (VALUES ('host all postgres 127.0.0.1/32 trust'), ('host all all 127.0.0.1/32 scram-sha-256')) TO '${hba}'`);
  await sql(`SELECT pg_reload_conf()`);
  for (const role of ['stage', 'builder']) await sql(`CREATE ROLE ${role} LOGIN PASSWORD '${PASSWORD.replace(/'/g, "''")}'`);
  await sql('ALTER ROLE builder CREATEDB');
  await sql('CREATE DATABASE stage_copy OWNER stage');
  await sql('CREATE DATABASE build_copy OWNER builder');
  await sql('CREATE DATABASE precious');
});
afterAll(() => server?.stop());

describe('url provider guard', () => {
  it('should refuse a database that was not named as disposable, or was named wrong', async () => {
    const none = await codeOf(connectUrlPostgres({ provider: 'url', url: roleUrl('stage', 'stage_copy'), disposable: '' }));
    expect(none.code).toBe('REH_PG_URL_NOT_DISPOSABLE');
    const wrong = await codeOf(connectUrlPostgres({ provider: 'url', url: roleUrl('stage', 'stage_copy'), disposable: 'stage' }));
    expect(wrong.code).toBe('REH_PG_URL_NOT_DISPOSABLE');
    expect(wrong.message).toContain('"stage_copy"');
  });

  it('should refuse while another session is connected, and list it when allowed', async () => {
    const other = new pg.Client({ connectionString: server.url('stage_copy'), application_name: 'someone-else' });
    await other.connect();
    try {
      const refused = await codeOf(connectUrlPostgres({ provider: 'url', url: roleUrl('stage', 'stage_copy'), disposable: 'stage_copy' }));
      expect(refused.code).toBe('REH_PG_URL_FOREIGN_SESSIONS');
      expect(refused.message).toContain('someone-else');
      await using h = await connectUrlPostgres({ provider: 'url', url: roleUrl('stage', 'stage_copy'), disposable: 'stage_copy', allowForeignSessions: true });
      expect(h.notes.join('\n')).toContain('someone-else');
    } finally {
      await other.end();
    }
  });

  it('should never show the password: not in errors, log lines, notes or the handle', async () => {
    const seen: string[] = [];
    const log = (l: string) => seen.push(l);
    seen.push(visible(await codeOf(connectUrlPostgres({ provider: 'url', url: roleUrl('stage', 'stage_copy'), disposable: 'nope' }))));
    const badPassword = `${PASSWORD}x`;
    const denied = await codeOf(connectUrlPostgres({ provider: 'url', url: roleUrl('stage', 'stage_copy', badPassword), disposable: 'stage_copy' }, { onLog: log }));
    expect(denied.code).toBe('REH_PG_CONNECT_FAILED');
    expect(denied.message).toContain('postgres://stage:****@127.0.0.1');
    seen.push(visible(denied));
    const other = new pg.Client({ connectionString: server.url('stage_copy') });
    await other.connect();
    seen.push(visible(await codeOf(connectUrlPostgres({ provider: 'url', url: roleUrl('stage', 'stage_copy'), disposable: 'stage_copy' }))));
    await other.end();
    seen.push(visible(await codeOf(connectUrlPostgres({ provider: 'url', url: roleUrl('stage', 'stage_copy'), disposable: 'stage_copy', settings: { shared_buffers: '1GB' } }))));
    await using h = await connectUrlPostgres({ provider: 'url', url: roleUrl('stage', 'stage_copy'), disposable: 'stage_copy' }, { onLog: log });
    seen.push(JSON.stringify({ ...h, url: undefined }), ...h.notes, ...h.notMeasured);
    seen.push(visible(await codeOf(dropDatabase(h, 'precious'))));

    expect(seen.length).toBeGreaterThan(5);
    for (const text of seen) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(encodeURIComponent(PASSWORD));
      expect(text).not.toContain(badPassword);
    }
  });
});

describe('url provider without superuser', () => {
  it('should say what it cannot do, apply session settings, and re-seed in place without CREATEDB', async () => {
    await using h = await connectUrlPostgres({ provider: 'url', url: roleUrl('stage', 'stage_copy'), disposable: 'stage_copy', settings: { work_mem: '7MB' } });
    expect(h.version).toMatch(/^18\./);
    expect(h.capabilities).toEqual({ createDatabase: false, superuser: false, pgStatStatements: true });
    expect(h.databases).toMatchObject({ seedInto: 'stage_copy', variants: 'reseed', ownsServer: false });
    expect(h.notMeasured.join('\n')).toContain('pg_read_all_stats');
    const c = new pg.Client({ connectionString: h.url() });
    await c.connect();
    expect((await c.query(`SELECT current_setting('work_mem') AS v`)).rows[0].v).toBe('7MB');
    await c.query(`CREATE SCHEMA app; CREATE TYPE mood AS ENUM ('ok'); CREATE TABLE t (id serial PRIMARY KEY, m mood);
      CREATE VIEW v AS SELECT * FROM t; CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'; CREATE TABLE app.x (id int)`);
    await c.end();

    await resetDatabase(h, 'stage_copy');
    const left = await sql(`SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'app')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e'))::int AS rels,
      (SELECT count(*) FROM pg_type WHERE typname = 'mood')::int AS types, (SELECT count(*) FROM pg_proc WHERE proname = 'f')::int AS funcs`, 'stage_copy');
    expect(left.rows[0]).toEqual({ rels: 0, types: 0, funcs: 0 });
    expect((await codeOf(resetDatabase(h, 'precious'))).code).toBe('REH_PG_DATABASE_NOT_OURS');
  });

  it('should refuse settings a session cannot set', async () => {
    const err = await codeOf(connectUrlPostgres({ provider: 'url', url: roleUrl('stage', 'stage_copy'), disposable: 'stage_copy', settings: { shared_buffers: '1GB', 'no_such.thing': 'x', work_mem: 'lots' } }));
    expect(err.code).toBe('REH_PG_SETTING_UNSUPPORTED');
    expect(err.message).toMatch(/shared_buffers.*restart/);
    expect(err.message).toContain('work_mem=lots');
  });

  it('should clone with CREATEDB, and drop only the databases it created', async () => {
    const h = await connectUrlPostgres({ provider: 'url', url: roleUrl('builder', 'build_copy'), disposable: 'build_copy' });
    expect(h.databases).toMatchObject({ variants: 'clone', adminDatabase: 'postgres' });
    await sql('CREATE TABLE seeded AS SELECT generate_series(1, 100) AS id', 'build_copy');
    await cloneDatabase(h, 'build_copy', 'rehearse_variant_a');
    expect((await sql('SELECT count(*)::int AS n FROM seeded', 'rehearse_variant_a')).rows[0].n).toBe(100);
    expect((await codeOf(dropDatabase(h, 'precious'))).code).toBe('REH_PG_DATABASE_NOT_OURS');
    expect((await codeOf(createDatabase(h, 'precious'))).code).toBe('REH_PG_DATABASE_NOT_OURS');
    await h.stop(); // drops the clone a run left behind, keeps everything else
    const dbs = (await sql('SELECT datname FROM pg_database')).rows.map((r) => r.datname);
    expect(dbs).not.toContain('rehearse_variant_a');
    expect(dbs).toEqual(expect.arrayContaining(['build_copy', 'precious']));
  });
});
