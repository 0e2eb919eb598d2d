// Helpers for the schema-dataset tests: seed SQL text into a fresh scratch database, and
// queries that check the result against the catalog (orphans for every FK, table checksums).
import type pg from 'pg';
import { createScratchDatabase, type ScratchDatabase } from '../../seed/scratch-db.ts';
import type { RowsSpec, SeededDataset } from '../types.ts';
import type { ColumnOverride } from './overrides.ts';
import { schemaDataset } from './schema-dataset.ts';
import { pgClient } from '../../postgres/client.ts';

export interface Seeded {
  db: ScratchDatabase;
  client: pg.Client;
  result: SeededDataset;
}

export async function seedSql(serverUrl: string, sql: string, opts: { seed?: number; rows?: RowsSpec; columns?: Record<string, ColumnOverride>; fanout?: number } = {}): Promise<Seeded> {
  const db = await createScratchDatabase(serverUrl, 'rehearse_schema');
  try {
    const ds = schemaDataset({ schema: [{ path: 'schema.sql', name: 'schema', sql }], columns: opts.columns, fanout: opts.fanout });
    const result = await ds.seed(db.url, { seed: opts.seed ?? 1, rows: opts.rows ?? { default: 200, tables: {} } });
    const client = pgClient(db.url, 'rehearse-test');
    await client.connect();
    return { db, client, result };
  } catch (err) {
    await db.drop();
    throw err;
  }
}

/** Rows of every FK (including composite and self-references) whose parent row does not exist. */
export async function orphans(c: pg.ClientBase): Promise<Record<string, number>> {
  const { rows: fks } = await c.query<{ name: string; child: string; parent: string; ccols: string[]; pcols: string[] }>(`
    SELECT con.conname AS name, con.conrelid::regclass::text AS child, con.confrelid::regclass::text AS parent,
      (SELECT array_agg(quote_ident(attname) ORDER BY k.i) FROM unnest(con.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n) AS ccols,
      (SELECT array_agg(quote_ident(attname) ORDER BY k.i) FROM unnest(con.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n) AS pcols
    FROM pg_constraint con WHERE con.contype = 'f' AND con.conparentid = 0`);
  const out: Record<string, number> = {};
  for (const fk of fks) {
    const notNull = fk.ccols.map((col) => `c.${col} IS NOT NULL`).join(' AND ');
    const match = fk.ccols.map((col, i) => `p.${fk.pcols[i]} = c.${col}`).join(' AND ');
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM ${fk.child} c WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${fk.parent} p WHERE ${match})`);
    out[fk.name] = rows[0].n;
  }
  return out;
}

/** md5 of every row of every user table, in a stable order: equal checksums ⇔ identical data. */
export async function checksums(c: pg.ClientBase): Promise<Record<string, string>> {
  const { rows: tables } = await c.query<{ t: string }>(`
    SELECT c.oid::regclass::text AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`);
  const out: Record<string, string> = {};
  for (const { t } of tables) {
    const { rows } = await c.query(`SELECT md5(coalesce(string_agg(x.r, E'\\n' ORDER BY x.r), '')) AS h, count(*)::int AS n FROM (SELECT t::text AS r FROM ${t} t) x`);
    out[t] = `${rows[0].n}:${rows[0].h}`;
  }
  return out;
}
