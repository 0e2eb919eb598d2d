// Builds the sample app's request mix for one database: real ids and emails to hit.
import pg from 'pg';
import type { RequestFactory } from '../load/types.ts';
import { createSampleMix } from '../../sample-app/load-mix.ts';

export async function sampleMixFor(databaseUrl: string, tag: string, weights?: Record<string, number>): Promise<RequestFactory> {
  const c = new pg.Client({ connectionString: databaseUrl, application_name: 'rehearse-setup' });
  await c.connect();
  try {
    const max = Number((await c.query<{ max: string | null }>('SELECT max(id)::text AS max FROM users')).rows[0]!.max ?? 0);
    // Block sampling reads ~1 % of the pages: cheap even at 10M rows, and spread over the table.
    let emails = (await c.query<{ email: string }>('SELECT email FROM users TABLESAMPLE SYSTEM (1) LIMIT 2000')).rows.map((r) => r.email);
    if (emails.length < 100) emails = (await c.query<{ email: string }>('SELECT email FROM users ORDER BY id LIMIT 2000')).rows.map((r) => r.email);
    return createSampleMix({ maxUserId: max, emails, tag }, weights);
  } finally {
    await c.end();
  }
}
