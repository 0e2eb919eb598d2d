// Snapshot/restore on any provider, built on template databases: the seeded database is the
// snapshot, and every variant runs on a fresh copy of it, so variants see identical data.
// On a server rehearse does not own (url provider) it only ever drops databases it created:
// each one carries a comment saying so.
import type pg from 'pg';
import { quoteIdent, quoteLiteral, withClient } from './client.ts';
import { RehearseError } from '../errors.ts';
import { maskUrl } from '../redact.ts';
import type { PostgresHandle } from './provider.ts';


/** The comment on every database rehearse creates on a server it does not own. */
export const CREATED_BY_REHEARSE = 'created by rehearse: disposable';
const created = new WeakMap<PostgresHandle, Set<string>>();

/** The databases this handle created through this module and has not dropped yet. */
export const databasesCreatedBy = (handle: PostgresHandle): string[] => [...(created.get(handle) ?? [])];

const admin = <T>(handle: PostgresHandle, fn: (c: pg.Client) => Promise<T>): Promise<T> =>
  withClient(handle.url(handle.databases.adminDatabase), 'rehearse-admin', fn);

/** Refuses to drop or replace a database on a foreign server unless rehearse created it. */
async function assertMayReplace(c: pg.Client, handle: PostgresHandle, name: string): Promise<void> {
  if (handle.databases.ownsServer) return;
  const { rows } = await c.query<{ comment: string | null }>(
    `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
    [name],
  );
  if (rows.length === 0 || rows[0]!.comment === CREATED_BY_REHEARSE) return;
  throw new RehearseError('REH_PG_DATABASE_NOT_OURS', `database "${name}" already exists on ${maskUrl(handle.url())} and rehearse did not create it; refusing to drop it`);
}

async function replace(c: pg.Client, handle: PostgresHandle, name: string, create: string): Promise<void> {
  await assertMayReplace(c, handle, name);
  await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  await c.query(create);
  created.set(handle, (created.get(handle) ?? new Set()).add(name));
  if (!handle.databases.ownsServer) await c.query(`COMMENT ON DATABASE ${quoteIdent(name)} IS ${quoteLiteral(CREATED_BY_REHEARSE)}`);
}

/** FILE_COPY (PG 15+; PG 14 always copies files) copies the files instead of WAL-logging every page: seconds, not minutes. */
export const cloneDatabase = (handle: PostgresHandle, template: string, name: string) =>
  admin(handle, (c) =>
    replace(c, handle, name, `CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}${handle.major >= 15 ? ' STRATEGY FILE_COPY' : ''}`),
  );

export const dropDatabase = (handle: PostgresHandle, name: string) =>
  admin(handle, async (c) => {
    await assertMayReplace(c, handle, name);
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    created.get(handle)?.delete(name);
  });

export const createDatabase = (handle: PostgresHandle, name: string) =>
  admin(handle, (c) => replace(c, handle, name, `CREATE DATABASE ${quoteIdent(name)}`));

/** The databases rehearse created on a server it does not own (left over when a run was killed). */
export const createdDatabases = (handle: PostgresHandle): Promise<string[]> =>
  admin(handle, async (c) =>
    (await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE shobj_description(oid, 'pg_database') = $1 ORDER BY 1`, [CREATED_BY_REHEARSE])).rows.map((r) => r.datname),
  );
