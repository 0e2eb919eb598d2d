// The indexes and constraints of the tables we load, captured as the server prints them
// (pg_get_indexdef, pg_get_constraintdef) so they can be dropped before the load and recreated
// afterwards with identical names and definitions, as pg_restore does. Comments, CLUSTER ON and
// REPLICA IDENTITY USING INDEX go with them. A fingerprint of everything lets us prove the
// schema came back exactly as it was.
import type pg from 'pg';

export interface Definition {
  /** Table it belongs to (oid). */
  table: number;
  /** FKs: added NOT VALID first, then validated; null when the original was NOT VALID itself. */
  validate?: string | null;
  name: string;
  kind: 'fk' | 'constraint' | 'index';
  drop: string;
  /** Statements that recreate it (the definition first, then comment/cluster/replica identity). */
  create: string[];
}

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * FKs on or into `loaded`, and for plain (not partitioned) loaded tables their index-backed
 * constraints and other indexes. Partitioned tables keep their indexes: dropping a parent index
 * drops its partitions' indexes, whose names a recreate would not bring back.
 */
export async function captureDefinitions(c: pg.ClientBase, loaded: number[], plain: number[]): Promise<Definition[]> {
  const fks = await c.query(`
    SELECT con.conrelid::int AS rel, con.conrelid::regclass::text AS tbl, quote_ident(con.conname) AS name, pg_get_constraintdef(con.oid) AS def,
      cl.relkind = 'p' AS partitioned, obj_description(con.oid, 'pg_constraint') AS comment
    FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid
    WHERE con.contype = 'f' AND con.conparentid = 0 AND (con.conrelid = ANY($1) OR con.confrelid = ANY($1))
    ORDER BY con.conrelid, con.conname`, [loaded]);
  const cons = await c.query(`
    SELECT con.conrelid::int AS rel, con.conrelid::regclass::text AS tbl, quote_ident(con.conname) AS name, pg_get_constraintdef(con.oid) AS def,
      obj_description(con.oid, 'pg_constraint') AS comment, i.indisclustered AS clustered, i.indisreplident AS replident,
      obj_description(con.conindid, 'pg_class') AS index_comment, con.conindid::regclass::text AS index_name
    FROM pg_constraint con JOIN pg_index i ON i.indexrelid = con.conindid
    WHERE con.contype IN ('p', 'u', 'x') AND con.conrelid = ANY($1) AND con.conparentid = 0
    ORDER BY con.conrelid, con.contype, con.conname`, [plain]);
  const idx = await c.query(`
    SELECT i.indrelid::int AS rel, i.indrelid::regclass::text AS tbl, i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def,
      obj_description(i.indexrelid, 'pg_class') AS comment, i.indisclustered AS clustered, i.indisreplident AS replident
    FROM pg_index i
    WHERE i.indrelid = ANY($1) AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))
    ORDER BY i.indrelid, i.indexrelid::regclass::text`, [plain]);

  const out: Definition[] = [];
  for (const f of fks.rows) {
    const only = f.partitioned ? '' : 'ONLY ';
    const notValid = /\sNOT VALID$/.test(f.def);
    const create = [`ALTER TABLE ${only}${f.tbl} ADD CONSTRAINT ${f.name} ${f.def}${notValid ? '' : ' NOT VALID'}`];
    if (f.comment !== null) create.push(`COMMENT ON CONSTRAINT ${f.name} ON ${f.tbl} IS ${lit(f.comment)}`);
    const validate = notValid ? null : `ALTER TABLE ${only}${f.tbl} VALIDATE CONSTRAINT ${f.name}`;
    out.push({ table: f.rel, name: f.name, kind: 'fk', drop: `ALTER TABLE ${only}${f.tbl} DROP CONSTRAINT ${f.name}`, create, validate });
  }
  for (const k of cons.rows) {
    const create = [`ALTER TABLE ONLY ${k.tbl} ADD CONSTRAINT ${k.name} ${k.def}`];
    if (k.comment !== null) create.push(`COMMENT ON CONSTRAINT ${k.name} ON ${k.tbl} IS ${lit(k.comment)}`);
    // The backing index comes back under the same name; its own comment, if any, lives on the index.
    if (k.index_comment !== null) create.push(`COMMENT ON INDEX ${k.index_name} IS ${lit(k.index_comment)}`);
    if (k.clustered) create.push(`ALTER TABLE ONLY ${k.tbl} CLUSTER ON ${k.name}`);
    if (k.replident) create.push(`ALTER TABLE ONLY ${k.tbl} REPLICA IDENTITY USING INDEX ${k.name}`);
    out.push({ table: k.rel, name: k.name, kind: 'constraint', drop: `ALTER TABLE ONLY ${k.tbl} DROP CONSTRAINT ${k.name}`, create });
  }
  for (const i of idx.rows) {
    const create = [i.def];
    if (i.comment !== null) create.push(`COMMENT ON INDEX ${i.name} IS ${lit(i.comment)}`);
    const bare = i.name.slice(i.name.lastIndexOf('.') + 1);
    if (i.clustered) create.push(`ALTER TABLE ONLY ${i.tbl} CLUSTER ON ${bare}`);
    if (i.replident) create.push(`ALTER TABLE ONLY ${i.tbl} REPLICA IDENTITY USING INDEX ${bare}`);
    out.push({ table: i.rel, name: i.name, kind: 'index', drop: `DROP INDEX ${i.name}`, create });
  }
  return out;
}

/** Everything a recreate must bring back, one line per object, for a before/after comparison. */
export async function definitionFingerprint(c: pg.ClientBase, tables: number[]): Promise<string[]> {
  const { rows } = await c.query<{ line: string }>(`
    SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' valid=' || convalidated
      || ' comment=' || coalesce(obj_description(oid, 'pg_constraint'), '') AS line
    FROM pg_constraint WHERE conrelid = ANY($1) OR confrelid = ANY($1)
    UNION ALL
    SELECT 'index ' || indexrelid::regclass || ' ' || pg_get_indexdef(indexrelid) || ' clustered=' || indisclustered || ' replident=' || indisreplident
      || ' valid=' || indisvalid || ' comment=' || coalesce(obj_description(indexrelid, 'pg_class'), '')
    FROM pg_index WHERE indrelid = ANY($1)
    UNION ALL
    SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname || ' enabled=' || tgenabled::text FROM pg_trigger WHERE tgrelid = ANY($1) AND NOT tgisinternal
    ORDER BY 1`, [tables]);
  return rows.map((r) => r.line);
}
