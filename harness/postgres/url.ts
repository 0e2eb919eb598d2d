// Rehearse on a database the user already has (a staging clone, a branch database, a thin
// clone). Guarded, because everything in it may be dropped: the database in the URL must be
// named as disposable, nobody else may be connected to it (unless allowed), and the password
// never reaches a message. Without superuser it still runs; what it cannot do is on the handle.
import type pg from 'pg';
import { RehearseError } from '../errors.ts';
import { registerCleanup } from '../cleanup.ts';
import { maskUrl, redactSecrets, registerSecret } from '../redact.ts';
import { databasesCreatedBy, dropDatabase } from './databases.ts';
import { probeCapabilities, type Probe } from './url-capabilities.ts';
import { majorOf, type PostgresHandle, type PostgresStartOptions, type ProviderEntry } from './provider.ts';
import { pgClient } from './client.ts';

export interface UrlSpec {
  provider: 'url';
  /** postgres://user:password@host:port/dbname (a password may also come from PGPASSWORD or ~/.pgpass). */
  url: string;
  /** Must equal the URL's database name: the user's explicit statement that it may be dropped. */
  disposable: string;
  /** Rehearse even when other sessions are connected to the database (they are listed in the report). */
  allowForeignSessions?: boolean;
  settings?: Record<string, string>;
}

export interface ForeignSession {
  pid: number;
  user: string | null;
  application: string | null;
  client: string | null;
}

const FOREIGN_SESSIONS = `
  SELECT pid, usename AS user, application_name AS application, client_addr::text AS client
  FROM pg_stat_activity
  WHERE datname = current_database() AND pid <> pg_backend_pid()
    -- background workers (autovacuum) have no user; other roles' backend_type may read as NULL
    AND usesysid IS NOT NULL AND (backend_type = 'client backend' OR backend_type IS NULL)
  ORDER BY pid`;

const describeSession = (s: ForeignSession) =>
  `pid ${s.pid} (user ${s.user ?? '?'}${s.application ? `, ${s.application}` : ''}${s.client ? `, from ${s.client}` : ''})`;

/** decodeURIComponent that keeps malformed escapes as they are instead of throwing. */
const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

function databaseOf(url: URL): string {
  return decode(url.pathname.replace(/^\//, ''));
}

/** The same URL pointing at another database, with the session settings in `options`. */
function urlFor(base: URL, database: string, settings: Record<string, string>): string {
  const u = new URL(base.toString());
  u.pathname = `/${encodeURIComponent(database)}`;
  const opts = Object.entries(settings).map(([k, v]) => `-c ${k}=${v.replace(/[\\ ]/g, (ch) => `\\${ch}`)}`);
  if (opts.length) u.searchParams.set('options', [u.searchParams.get('options'), ...opts].filter(Boolean).join(' '));
  return u.toString();
}

async function connect(url: string, masked: string): Promise<pg.Client> {
  const c = pgClient(url, 'rehearse-guard', { connectionTimeoutMillis: 10_000 });
  try {
    await c.connect();
    return c;
  } catch (cause) {
    await c.end().catch(() => {});
    const why = redactSecrets((cause as Error).message);
    throw new RehearseError('REH_PG_CONNECT_FAILED', `could not connect to ${masked}: ${why}`, { cause: new Error(why) });
  }
}

/** CREATE DATABASE … TEMPLATE <disposable> must run from another database: the template may have no sessions. */
async function firstConnectable(url: (db: string) => string, candidates: string[]): Promise<string | null> {
  for (const db of candidates) {
    const c = pgClient(url(db), 'rehearse-admin', { connectionTimeoutMillis: 5000 });
    const ok = await c.connect().then(() => true, () => false);
    await c.end().catch(() => {});
    if (ok) return db;
  }
  return null;
}

export async function connectUrlPostgres(spec: UrlSpec, opts: PostgresStartOptions = {}): Promise<PostgresHandle> {
  let base: URL;
  try {
    base = new URL(spec.url);
  } catch {
    throw new RehearseError('REH_PG_SPEC_INVALID', `the database URL does not parse: ${maskUrl(spec.url)}`, { hint: 'Use the form postgres://user:password@host:5432/dbname.' });
  }
  registerSecret(decode(base.password));
  const masked = maskUrl(spec.url);
  const database = databaseOf(base);
  if (!database) throw new RehearseError('REH_PG_URL_NOT_DISPOSABLE', `the URL ${masked} names no database; rehearse needs one that it may empty`);
  if (spec.disposable !== database) {
    const told = spec.disposable ? `--disposable names "${spec.disposable}"` : 'no --disposable was given';
    throw new RehearseError('REH_PG_URL_NOT_DISPOSABLE', `${told}, but the URL ${masked} names database "${database}"; everything in it may be dropped`, {
      hint: `If "${database}" is a throwaway copy, pass \`--disposable ${database}\`.`,
    });
  }

  const c = await connect(spec.url, masked);
  let probe: Probe;
  try {
    const foreign = (await c.query<ForeignSession>(FOREIGN_SESSIONS)).rows;
    if (foreign.length && !spec.allowForeignSessions) {
      throw new RehearseError('REH_PG_URL_FOREIGN_SESSIONS', `${foreign.length} other session(s) are connected to "${database}" on ${masked}: ${foreign.map(describeSession).join('; ')}`);
    }
    probe = await probeCapabilities(c, spec.settings ?? {});
    if (foreign.length) probe.notes.push(`rehearsed with ${foreign.length} other session(s) connected to "${database}" (--allow-foreign-sessions): ${foreign.map(describeSession).join('; ')}`);
  } finally {
    await c.end();
  }

  const settings = spec.settings ?? {};
  const url = (db = database) => urlFor(base, db, settings);
  const adminDatabase = probe.capabilities.createDatabase ? await firstConnectable(url, ['postgres', 'template1']) : null;
  if (probe.capabilities.createDatabase && !adminDatabase) {
    probe.notes.push('the role may create databases, but can connect to neither "postgres" nor "template1" to clone from: variants are re-seeded in place');
  }
  let stopping: Promise<void> | null = null;
  const handle: PostgresHandle = {
    provider: 'url',
    version: probe.version,
    major: majorOf(probe.version),
    host: base.hostname,
    port: Number(base.port || 5432),
    url,
    logFile: null,
    capabilities: probe.capabilities,
    notMeasured: probe.notMeasured,
    notes: probe.notes,
    databases: {
      seedInto: database,
      variants: adminDatabase ? 'clone' : 'reseed',
      ownsServer: false,
      adminDatabase: adminDatabase ?? database,
    },
    stop: () =>
      (stopping ??= (async () => {
        unregister();
        // Clones a run left behind (it normally drops its own); the disposable database stays.
        for (const name of databasesCreatedBy(handle)) await dropDatabase(handle, name).catch(() => {});
      })()),
    [Symbol.asyncDispose]: () => handle.stop(),
  };
  const unregister = registerCleanup({ name: `databases created on ${masked}`, run: () => handle.stop() });
  opts.onLog?.(`rehearsing on ${masked} (PG ${probe.version}; ${handle.databases.variants === 'clone' ? 'variants on template clones' : 'no CREATEDB: one variant at a time, re-seeded in place'})`);
  return handle;
}

export const urlProvider: ProviderEntry<UrlSpec> = {
  flags: ['pgUrl', 'disposable', 'allowForeignSessions'],
  fromFlags(flags, problem, env) {
    const url = flags.pgUrl ?? env.REHEARSE_PG_URL;
    if (!url) {
      problem('--pg-url', 'names no database; pass --pg-url postgres://user@host/db, or set REHEARSE_PG_URL (kept out of `ps`)');
      return [];
    }
    let database: string;
    try {
      const u = new URL(url);
      if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new Error('not postgres');
      database = databaseOf(u);
    } catch {
      problem('--pg-url', `${maskUrl(url)} is not a postgres://user:password@host:5432/dbname URL`);
      return [];
    }
    if (!database) problem('--pg-url', `${maskUrl(url)} names no database`);
    else if (flags.disposable === undefined) problem('--disposable', `is required with --postgres url: pass --disposable ${database} if everything in "${database}" may be dropped`, 'REH_PG_URL_NOT_DISPOSABLE');
    else if (flags.disposable !== database) problem('--disposable', `names "${flags.disposable}", but the URL names database "${database}"`, 'REH_PG_URL_NOT_DISPOSABLE');
    return [{ provider: 'url', url, disposable: flags.disposable ?? '', allowForeignSessions: flags.allowForeignSessions ?? false }];
  },
  start: (spec, opts) => connectUrlPostgres(spec, opts),
  describe: (spec) => `url ${maskUrl(spec.url)}`,
};
