// What the applied schema looks like, read from the system catalog: every table of every
// non-system schema (extension-owned tables and partitions excluded; partitions load through
// their parent), its columns with their full types, keys, foreign keys and CHECKs.
import type pg from 'pg';
import { readPartitionFacts, type PartitionFacts } from './partitions.ts';

export interface PgType {
  oid: number;
  schema: string;
  name: string;
  /** typtype: b base, e enum, d domain, r range, c composite, m multirange, p pseudo. */
  kind: string;
  /** Element type of an array type, else 0. */
  elem: number;
  /** Domain: its base type and typmod. */
  base: number;
  baseTypmod: number;
  notNull: boolean;
  /** Enum labels in sort order. */
  labels: string[];
  /** Domain CHECK expressions (they refer to VALUE). */
  checks: string[];
  /** Range: its subtype. */
  rangeSubtype: number;
}

export interface Column {
  num: number;
  name: string;
  type: number;
  typmod: number;
  /** format_type(), e.g. `character varying(20)`, `public.status[]`. */
  typeSql: string;
  notNull: boolean;
  defaultSql: string | null;
  /** 'a' always, 'd' by default, '' none. */
  identity: string;
  /** 's' stored, 'v' virtual, '' none: generated columns are never written. */
  generated: string;
  /** The sequence behind an identity, serial or nextval() default. */
  sequence: { name: string; start: number; increment: number } | null;
}

export interface ForeignKey {
  name: string;
  columns: number[];
  parent: number;
  parentColumns: number[];
  deferrable: boolean;
}

export interface Table {
  oid: number;
  schema: string;
  name: string;
  /** Quoted and schema-qualified, safe to splice into SQL. */
  sql: string;
  /** 'r' plain, 'p' partitioned. */
  kind: string;
  columns: Column[];
  /** The baseline already put rows in it (reference data): kept as it is. */
  existingRows: number;
  primaryKey: number[] | null;
  /** PK, UNIQUE constraints, and unique indexes on plain columns (partial ones included: stricter is safe). */
  uniques: number[][];
  /** Unique indexes on expressions: the plain columns they read (lower(email) → email). */
  uniqueExpressionColumns: number[][];
  foreignKeys: ForeignKey[];
  checks: { name: string; expr: string }[];
  /** Partitioned without a DEFAULT partition: where the key's values must fall. */
  partition: PartitionFacts | null;
}

export interface Catalog {
  tables: Table[];
  types: Map<number, PgType>;
  byOid: Map<number, Table>;
}

export const quoteIdent = (s: string): string => (/^[a-z_][a-z0-9_$]*$/.test(s) && !RESERVED.has(s) ? s : `"${s.replace(/"/g, '""')}"`);
/** Quoting is also needed for reserved words; quoting more than needed is always safe. */
const RESERVED = new Set(['user', 'order', 'group', 'table', 'select', 'from', 'where', 'limit', 'offset', 'check', 'default', 'column', 'references', 'primary', 'unique', 'all', 'end', 'desc', 'asc', 'to', 'and', 'or', 'not', 'null', 'true', 'false', 'case', 'when', 'then', 'else', 'as', 'on', 'in', 'is', 'with', 'grant', 'having', 'into', 'constraint', 'foreign', 'create', 'analyse', 'analyze', 'both', 'cast', 'collate', 'current_date', 'current_time', 'current_timestamp', 'current_user', 'deferrable', 'distinct', 'do', 'except', 'fetch', 'for', 'initially', 'intersect', 'lateral', 'leading', 'localtime', 'localtimestamp', 'only', 'placing', 'returning', 'session_user', 'some', 'symmetric', 'trailing', 'union', 'using', 'variadic', 'window', 'array', 'any', 'authorization', 'binary', 'concurrently', 'cross', 'full', 'ilike', 'inner', 'join', 'left', 'like', 'natural', 'outer', 'overlaps', 'right', 'similar', 'verbose', 'tablesample', 'freeze', 'isnull', 'notnull', 'current_role', 'current_catalog', 'current_schema', 'leading']);

const SYSTEM_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

export async function readCatalog(client: pg.ClientBase): Promise<Catalog> {
  const tables = await client.query<{ oid: number; schema: string; name: string; kind: string }>(`
    SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relpersistence <> 't' AND ${SYSTEM_SCHEMA}
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
    ORDER BY n.nspname, c.relname`);
  const oids = tables.rows.map((t) => t.oid);

  // One connection runs one query at a time.
  const [cols, cons, idx, types, labels, domainChecks, ranges] = await sequentially([
    () => client.query(`
      SELECT a.attrelid::int AS rel, a.attnum::int AS num, a.attname AS name, a.atttypid::int AS type, a.atttypmod AS typmod,
        format_type(a.atttypid, a.atttypmod) AS type_sql, a.attnotnull AS not_null, pg_get_expr(ad.adbin, ad.adrelid) AS default_sql,
        a.attidentity::text AS identity, a.attgenerated::text AS generated,
        seq.oid::regclass::text AS seq_name, s.seqstart::float8 AS seq_start, s.seqincrement::float8 AS seq_increment
      FROM pg_attribute a
      LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
      LEFT JOIN LATERAL (
        SELECT coalesce(pg_get_serial_sequence(a.attrelid::regclass::text, a.attname)::regclass,
          (SELECT d.refobjid::regclass FROM pg_depend d JOIN pg_class sc ON sc.oid = d.refobjid AND sc.relkind = 'S'
           WHERE d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid LIMIT 1)) AS oid) seq ON true
      LEFT JOIN pg_sequence s ON s.seqrelid = seq.oid
      WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attrelid, a.attnum`, [oids]),
    () => client.query(`
      SELECT c.conrelid::int AS rel, c.conname AS name, c.contype::text AS type, c.conkey::int[] AS keys, c.confrelid::int AS parent,
        c.confkey::int[] AS parent_keys, c.condeferrable AS deferrable, pg_get_expr(c.conbin, c.conrelid) AS expr
      FROM pg_constraint c WHERE c.conrelid = ANY($1) AND c.contype IN ('p', 'u', 'f', 'c') ORDER BY c.conrelid, c.conname`, [oids]),
    () => client.query(`
      SELECT i.indrelid::int AS rel, i.indkey::int[] AS keys, i.indexprs IS NOT NULL AS has_exprs,
        (SELECT array_agg(DISTINCT m[1]::int) FROM regexp_matches(i.indexprs::text, ':varattno (\\d+)', 'g') m) AS expr_cols
      FROM pg_index i WHERE i.indrelid = ANY($1) AND i.indisunique
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)`, [oids]),
    () => client.query(`
      SELECT t.oid::int AS oid, n.nspname AS schema, t.typname AS name, t.typtype::text AS kind, t.typelem::int AS elem,
        t.typbasetype::int AS base, t.typtypmod AS base_typmod, t.typnotnull AS not_null, t.typcategory::text AS category
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace`),
    () => client.query(`SELECT enumtypid::int AS type, enumlabel AS label FROM pg_enum ORDER BY enumtypid, enumsortorder`),
    () => client.query(`SELECT contypid::int AS type, pg_get_expr(conbin, 0) AS expr FROM pg_constraint WHERE contypid <> 0 AND contype = 'c'`),
    () => client.query(`SELECT rngtypid::int AS type, rngsubtype::int AS subtype FROM pg_range`),
  ]);

  const typeMap = new Map<number, PgType>();
  for (const t of types.rows) {
    // Array types have typelem set and category 'A'; other types with typelem (e.g. name, point) are not arrays.
    typeMap.set(t.oid, { oid: t.oid, schema: t.schema, name: t.name, kind: t.kind, elem: t.category === 'A' ? t.elem : 0, base: t.base, baseTypmod: t.base_typmod, notNull: t.not_null, labels: [], checks: [], rangeSubtype: 0 });
  }
  for (const l of labels.rows) typeMap.get(l.type)?.labels.push(l.label);
  for (const d of domainChecks.rows) typeMap.get(d.type)?.checks.push(d.expr);
  for (const r of ranges.rows) {
    const t = typeMap.get(r.type);
    if (t) t.rangeSubtype = r.subtype;
  }

  const byOid = new Map<number, Table>();
  for (const t of tables.rows) {
    byOid.set(t.oid, {
      ...t,
      sql: `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`,
      columns: [],
      existingRows: 0,
      primaryKey: null,
      uniques: [],
      uniqueExpressionColumns: [],
      foreignKeys: [],
      checks: [],
      partition: null,
    });
  }
  for (const c of cols.rows) {
    byOid.get(c.rel)!.columns.push({
      num: c.num,
      name: c.name,
      type: c.type,
      typmod: c.typmod,
      typeSql: c.type_sql,
      notNull: c.not_null,
      defaultSql: c.default_sql,
      identity: c.identity,
      generated: c.generated,
      sequence: c.seq_name ? { name: c.seq_name, start: c.seq_start, increment: c.seq_increment } : null,
    });
  }
  for (const c of cons.rows) {
    const t = byOid.get(c.rel)!;
    if (c.type === 'p') t.primaryKey = c.keys;
    if (c.type === 'p' || c.type === 'u') t.uniques.push(c.keys);
    if (c.type === 'c') t.checks.push({ name: c.name, expr: c.expr });
    if (c.type === 'f') t.foreignKeys.push({ name: c.name, columns: c.keys, parent: c.parent, parentColumns: c.parent_keys, deferrable: c.deferrable });
  }
  for (const i of idx.rows) {
    const t = byOid.get(i.rel)!;
    const plain = (i.keys as number[]).filter((k) => k > 0);
    if (!i.has_exprs) t.uniques.push(plain);
    else t.uniqueExpressionColumns.push([...new Set([...plain, ...((i.expr_cols as number[] | null) ?? [])])]);
  }
  // A table the baseline filled (lookup rows a migration inserted) is kept as reference data.
  for (const t of byOid.values()) t.existingRows = (await client.query(`SELECT count(*)::int AS n FROM ${t.sql}`)).rows[0].n;
  for (const t of byOid.values()) {
    if (t.kind !== 'p') continue;
    const isTime = (name: string) => ['timestamptz', 'timestamp', 'date'].includes(typeMap.get(t.columns.find((c) => c.name === name)?.type ?? 0)?.name ?? '');
    t.partition = await readPartitionFacts(client, t.oid, isTime);
  }
  return { tables: [...byOid.values()], types: typeMap, byOid };
}

async function sequentially<T>(queries: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = [];
  for (const q of queries) out.push(await q());
  return out;
}

/** Column by number. */
export const columnOf = (t: Table, num: number): Column => t.columns.find((c) => c.num === num)!;
