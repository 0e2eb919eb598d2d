// A derived query is kept only if it runs: each is tried a few times with real params on the
// seeded database, inside a transaction that is rolled back. This is what makes the derivation
// safe on any schema (a CHECK on a varied column, a trigger that raises, an exclusion
// constraint): what fails is left out and the report says why. Sequences are not
// transactional, so their positions are put back afterwards: the seeded data stays as seeded.
import type pg from 'pg';
import { mulberry32 } from '../../load/rng.ts';
import { createWorkloadFactory, type FactoryInputs } from '../params.ts';
import { pgClient } from '../../postgres/client.ts';

const TRIES = 3;

export async function dryRun(databaseUrl: string, inputs: FactoryInputs): Promise<Map<string, string>> {
  const failed = new Map<string, string>();
  const c = pgClient(databaseUrl, 'rehearse-setup');
  await c.connect();
  try {
    const before = await sequences(c);
    try {
      for (const [name, route] of Object.entries(inputs.routes)) {
        const statements = route.versions.base ?? [];
        const factory = createWorkloadFactory({ ...inputs, routes: { [name]: { ...route, weight: 1 } } });
        const rng = mulberry32(inputs.seed);
        for (let k = 0; k < TRIES && !failed.has(name); k++) {
          const params = factory(rng).body as unknown[];
          await c.query('BEGIN');
          try {
            await c.query("SET LOCAL statement_timeout = '5s'");
            for (const s of statements) await c.query(s.sql, s.params.map((i) => params[i]));
          } catch (err) {
            const code = (err as { code?: string }).code;
            failed.set(name, `${(err as Error).message}${code ? ` (SQLSTATE ${code})` : ''}`);
          } finally {
            await c.query('ROLLBACK');
          }
        }
      }
    } finally {
      await restoreSequences(c, before);
    }
  } finally {
    await c.end();
  }
  return failed;
}

interface SequencePosition {
  name: string;
  last: string | null;
  start: string;
}

async function sequences(c: pg.Client): Promise<SequencePosition[]> {
  return (await c.query<SequencePosition>(
    `SELECT format('%I.%I', schemaname, sequencename) AS name, last_value::text AS last, start_value::text AS start FROM pg_sequences`,
  )).rows;
}

async function restoreSequences(c: pg.Client, before: SequencePosition[]): Promise<void> {
  const now = new Map((await sequences(c)).map((s) => [s.name, s.last]));
  for (const s of before) {
    if (now.get(s.name) === s.last) continue;
    if (s.last === null) await c.query('SELECT setval($1::regclass, $2::bigint, false)', [s.name, s.start]);
    else await c.query('SELECT setval($1::regclass, $2::bigint, true)', [s.name, s.last]);
  }
}
