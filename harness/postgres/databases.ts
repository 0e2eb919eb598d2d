// Snapshot/restore on any provider, built on template databases: the seeded database is the
// snapshot, and every variant runs on a fresh copy of it, so variants see identical data.
import pg from 'pg';
import type { PostgresHandle } from './provider.ts';

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function admin<T>(handle: PostgresHandle, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: handle.url('postgres'), application_name: 'rehearse-admin' });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** FILE_COPY copies the files directly instead of WAL-logging every page: seconds, not minutes. */
export const cloneDatabase = (handle: PostgresHandle, template: string, name: string) =>
  admin(handle, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${ident(name)} TEMPLATE ${ident(template)} STRATEGY FILE_COPY`);
  });

export const dropDatabase = (handle: PostgresHandle, name: string) =>
  admin(handle, (c) => c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`).then(() => undefined));

export const createDatabase = (handle: PostgresHandle, name: string) =>
  admin(handle, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${ident(name)}`);
  });
