// One short-lived connection for a few admin or setup queries, and SQL quoting. Every client has
// an 'error' listener: a server-side termination fails the query in flight, never the process.
import pg from 'pg';

export async function withClient<T>(url: string, applicationName: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, application_name: applicationName });
  c.on('error', () => {});
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
