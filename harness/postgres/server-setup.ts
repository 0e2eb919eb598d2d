// What every provider that starts a server does once it is up: wait until it really answers a
// query (a log line or an open port is not enough: the official image restarts its server once
// after init), read its version, and create pg_stat_statements in template1.
import type pg from 'pg';
import { pgClient, withClient } from './client.ts';
import { sleep } from '../clock.ts';
import { redactSecrets } from '../redact.ts';

export interface ReadyOptions {
  timeoutMs: number;
  /** A reason when the server can no longer come up (its process or container exited). */
  gone: () => string | null | Promise<string | null>;
  /** The last server log lines, for the error message. */
  tail: () => string;
}

/** Polls `SELECT 1` until it succeeds; throws with the server's last log lines otherwise. */
export async function waitForSelect1(url: string, o: ReadyOptions): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    const gone = await o.gone();
    if (gone) throw new Error(redactSecrets(`${gone} during startup:\n${o.tail()}`));
    const client = pgClient(url, 'rehearse-admin', { connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (err) {
      lastErr = err;
      await client.end().catch(() => {});
      await sleep(100);
    }
  }
  throw new Error(redactSecrets(`postgres did not answer SELECT 1 within ${o.timeoutMs} ms: ${(lastErr as Error)?.message}\n${o.tail()}`));
}

const admin = <T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> => withClient(url, 'rehearse-admin', fn);

export const readServerVersion = (url: string): Promise<string> =>
  admin(url, async (c) => (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version);

/** In template1, so every database created later (seed, variants) has it. */
export const installPgStatStatements = (template1Url: string): Promise<void> =>
  admin(template1Url, (c) => c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements').then(() => undefined));

/** A CHECKPOINT before a clean stop, so the shutdown checkpoint (and a later restore) has little to do. */
export const checkpoint = (url: string): Promise<void> => admin(url, (c) => c.query('CHECKPOINT').then(() => undefined));
