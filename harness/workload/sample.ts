// Real values for pick()/pickRow(): a few thousand rows per table, read once when the load
// starts. Block sampling (TABLESAMPLE SYSTEM … REPEATABLE) reads a small share of the pages,
// so it is cheap at any size and spread over the table; it falls back to BERNOULLI and then to
// the first rows when the sample comes back thin (small or clustered tables). Values come back
// as PostgreSQL's text form, which every type accepts back as a parameter (ints, bigints beyond
// 2^53, uuids, timestamps, json, arrays, enums), so a picked value keeps its exact type.
import type pg from 'pg';
import { RehearseError } from '../errors.ts';
import { quoteIdent, quoteTable } from './names.ts';
import { pgClient } from '../postgres/client.ts';

export const SAMPLE_ROWS = 5000;

export interface TableSample {
  /** Column name → index in each row. */
  columns: string[];
  rows: (string | null)[][];
  method: string; // e.g. 'SYSTEM (0.6 %)', 'all rows'
}

export interface SampleRequest {
  schema: string;
  table: string;
  columns: string[];
  /** Shown in errors, e.g. the pick() that asked. */
  askedBy: string;
}

/** Samples every requested table (one query each), deterministically for `seed`. */
export async function sampleTables(databaseUrl: string, requests: SampleRequest[], seed: number, size = SAMPLE_ROWS): Promise<Map<string, TableSample>> {
  const byTable = new Map<string, SampleRequest & { askedBy: string }>();
  for (const r of requests) {
    const key = `${r.schema}.${r.table}`;
    const prev = byTable.get(key);
    if (prev) prev.columns = [...new Set([...prev.columns, ...r.columns])];
    else byTable.set(key, { ...r, columns: [...r.columns] });
  }
  const c = pgClient(databaseUrl, 'rehearse-setup');
  await c.connect();
  const out = new Map<string, TableSample>();
  const empty: string[] = [];
  try {
    for (const [key, r] of byTable) {
      const sample = await sampleTable(c, r.schema, r.table, r.columns, seed, size);
      if (sample.rows.length === 0) empty.push(`${r.askedBy}: table ${quoteTable(r.schema, r.table)} has no rows to pick from`);
      out.set(key, sample);
    }
  } finally {
    await c.end();
  }
  if (empty.length) {
    throw new RehearseError('REH_WORKLOAD_NO_ROWS', `the seeded data has nothing to pick:\n  - ${empty.join('\n  - ')}`);
  }
  return out;
}

async function sampleTable(c: pg.Client, schema: string, table: string, columns: string[], seed: number, size: number): Promise<TableSample> {
  const from = quoteTable(schema, table);
  const list = columns.map((col) => `${quoteIdent(col)}::text`).join(', ');
  const run = async (sql: string) => (await c.query({ text: sql, rowMode: 'array' })).rows as (string | null)[][];
  const est = Number((await c.query<{ n: number }>('SELECT reltuples::float8 AS n FROM pg_class WHERE oid = $1::regclass', [from])).rows[0]?.n ?? -1);
  // Never analyzed (-1) or small: count up to a bound instead of trusting the estimate.
  const known = est >= 0 ? est : Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM (SELECT 1 FROM ${from} LIMIT ${size * 4}) s`)).rows[0]!.n);
  if (known <= size * 2) return { columns, rows: await run(`SELECT ${list} FROM ${from} LIMIT ${size * 2}`), method: 'all rows' };
  const pct = Math.min(100, Math.max(0.0001, (100 * size * 3) / known));
  const repeatable = `REPEATABLE (${seed >>> 0})`;
  let rows = await run(`SELECT ${list} FROM ${from} TABLESAMPLE SYSTEM (${pct}) ${repeatable} LIMIT ${size}`);
  if (rows.length >= size / 2) return { columns, rows, method: `SYSTEM (${pct.toPrecision(2)} %)` };
  rows = await run(`SELECT ${list} FROM ${from} TABLESAMPLE BERNOULLI (${pct}) ${repeatable} LIMIT ${size}`);
  if (rows.length >= size / 2) return { columns, rows, method: `BERNOULLI (${pct.toPrecision(2)} %)` };
  return { columns, rows: await run(`SELECT ${list} FROM ${from} LIMIT ${size}`), method: 'first rows' };
}
