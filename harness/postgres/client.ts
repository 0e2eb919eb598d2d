// The only place the harness and the sample app create pg clients and pools. Each one gets an
// 'error' listener before it can connect: a server-side termination (pg_terminate_backend, a
// Postgres shutdown, a dropped socket) is delivered as an 'error' event, and a pg Client or Pool
// without a listener turns it into an uncaught exception that kills the process. The error
// still reaches whoever runs the next query on that client, which is where it is handled.
import pg from 'pg';

export interface ClientOptions extends Omit<pg.ClientConfig, 'connectionString' | 'application_name'> {
  /** Called with the error; the default only remembers it (see lastError). */
  onError?: (err: Error) => void;
}

/** Errors the client emitted outside a query, newest last (for diagnostics). */
const lastErrors = new WeakMap<pg.Client | pg.Pool, Error>();
export const lastError = (c: pg.Client | pg.Pool): Error | undefined => lastErrors.get(c);

export function pgClient(connectionString: string, applicationName: string, opts: ClientOptions = {}): pg.Client {
  const { onError, ...config } = opts;
  const client = new pg.Client({ ...config, connectionString, application_name: applicationName });
  client.on('error', (err) => {
    lastErrors.set(client, err);
    onError?.(err);
  });
  return client;
}

export function pgPool(config: pg.PoolConfig & { connectionString: string; application_name: string }, onError?: (err: Error) => void): pg.Pool {
  const pool = new pg.Pool(config);
  // An idle pooled client that the server terminated: the pool drops it and opens a new one on demand.
  pool.on('error', (err) => {
    lastErrors.set(pool, err);
    onError?.(err);
  });
  return pool;
}

/** Connects a client, runs `fn`, and always ends it. */
export async function withClient<T>(connectionString: string, applicationName: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = pgClient(connectionString, applicationName);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

/** A quoted identifier: "Booking", "a""b". */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** A quoted string literal: 'it''s'. */
export const quoteLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;
