// A throwaway database on an existing server, for tests and the bench: each run gets its own,
// so runs never see each other's tables and a crash leaves nothing that breaks the next run.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { withClient as withClientAs } from '../postgres/client.ts';

export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

const withClient = <T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> => withClientAs(url, 'rehearse-seed-scratch', fn);

/** Creates `<prefix>_<random>` on the server of `serverUrl` (any database on it). */
export async function createScratchDatabase(serverUrl: string, prefix = 'rehearse_seed'): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return {
    name,
    url: u.toString(),
    drop: () => withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
