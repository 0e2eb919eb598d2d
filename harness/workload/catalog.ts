// What the seeded database's catalog says about its tables, read once: columns (type, NOT NULL,
// default, identity, generated), keys, unique indexes, foreign keys, indexes. The pick() check
// resolves names against it and the derived workload is built from it.
import type pg from 'pg';
import { matchName, nearMatches, parseColumnRef, parseTableRef, type NamePart } from './names.ts';

export interface CatalogColumn {
  name: string;
  num: number; // attnum
  type: string; // format_type, e.g. "character varying(20)", "uuid", "\"Status\""
  typeName: string; // pg_type.typname of the base type, e.g. varchar, uuid, int8, _text
  typeCategory: string; // pg_type.typcategory: S string, N numeric, D date/time, B boolean, U user (uuid, json…), A array, E enum
  maxLength: number | null; // for varchar(n) / char(n)
  notNull: boolean;
  hasDefault: boolean;
  defaultExpr: string | null;
  identity: '' | 'a' | 'd'; // attidentity
  generated: boolean; // attgenerated stored or virtual
}

export interface CatalogIndex {
  name: string;
  unique: boolean;
  primary: boolean;
  partial: boolean;
  /** Key columns by name; an expression key shows as null. */
  columns: (string | null)[];
  /** Columns an expression key mentions (from the index definition), e.g. lower(email) → email. */
  expressionColumns: string[];
  /** Backs an exclusion constraint. */
  exclusion: boolean;
}

export interface CatalogForeignKey {
  name: string;
  columns: string[];
  /** Referenced table (schema, name) and columns. */
  refSchema: string;
  refTable: string;
  refColumns: string[];
}

export interface CatalogTable {
  oid: number;
  schema: string;
  name: string;
  kind: string; // relkind: r table, p partitioned, v view, m matview, f foreign
  /** Set for a partition: the table the app would query. */
  partitionRoot: { schema: string; name: string } | null;
  estimatedRows: number; // reltuples (-1 when never analyzed)
  columns: CatalogColumn[];
  primaryKey: string[] | null;
  indexes: CatalogIndex[];
  foreignKeys: CatalogForeignKey[];
  triggers: number;
  checks: number;
}

export interface Catalog {
  tables: CatalogTable[];
  /** Schemas on the search_path, in order. */
  searchPath: string[];
  /** Index name (schema, name) → its table, for migrations that touch an index. */
  indexTables: Map<string, CatalogTable>;
  /** User type (schema.name) → tables with a column of that type (or an array/domain of it). */
  typeUsers: Map<string, CatalogTable[]>;
}

const TABLES_SQL = `
SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, c.reltuples::float8 AS reltuples,
       (SELECT count(*)::int FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal) AS triggers,
       (SELECT count(*)::int FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'c') AS checks,
       CASE WHEN c.relispartition THEN (SELECT row_to_json(r) FROM (SELECT rn.nspname AS schema, rc.relname AS name
            FROM pg_class rc JOIN pg_namespace rn ON rn.oid = rc.relnamespace WHERE rc.oid = pg_partition_root(c.oid)) r) END AS root
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
ORDER BY n.nspname, c.relname`;

const COLUMNS_SQL = `
SELECT a.attrelid::int AS rel, a.attname AS name, a.attnum::int AS num, format_type(a.atttypid, a.atttypmod) AS type,
       bt.typname AS "typeName", bt.typcategory::text AS "typeCategory",
       CASE WHEN bt.typname IN ('varchar', 'bpchar') AND coalesce(nullif(a.atttypmod, -1), t.typtypmod) > 4
            THEN coalesce(nullif(a.atttypmod, -1), t.typtypmod) - 4 END AS "maxLength",
       (a.attnotnull OR coalesce(t.typnotnull, false)) AS "notNull", a.atthasdef OR t.typdefault IS NOT NULL AS "hasDefault",
       pg_get_expr(d.adbin, d.adrelid) AS "defaultExpr", a.attidentity::text AS identity, a.attgenerated <> '' AS generated,
       CASE WHEN et.typtype IN ('e', 'c', 'd') OR (et.typtype = 'b' AND etn.nspname NOT IN ('pg_catalog', 'information_schema'))
            THEN etn.nspname || '.' || et.typname END AS "userType"
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
LEFT JOIN pg_type et ON et.oid = CASE WHEN t.typelem <> 0 AND t.typcategory = 'A' THEN t.typelem ELSE t.oid END
LEFT JOIN pg_namespace etn ON etn.oid = et.typnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
ORDER BY a.attrelid, a.attnum`;

const INDEXES_SQL = `
SELECT i.indrelid::int AS rel, ic.relname AS name, n.nspname AS schema, i.indisunique AS unique, i.indisprimary AS primary,
       i.indpred IS NOT NULL AS partial, pg_get_indexdef(i.indexrelid) AS def,
       EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype = 'x') AS exclusion,
       ARRAY(SELECT CASE WHEN k.attnum = 0 THEN NULL ELSE (SELECT attname::text FROM pg_attribute WHERE attrelid = i.indrelid AND attnum = k.attnum) END
             FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) WHERE k.ord <= i.indnkeyatts ORDER BY k.ord) AS columns
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;

const FKS_SQL = `
SELECT k.conrelid::int AS rel, k.conname AS name,
       ARRAY(SELECT attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, o) JOIN pg_attribute ON attrelid = k.conrelid AND attnum = u.n ORDER BY o) AS columns,
       rn.nspname AS "refSchema", rc.relname AS "refTable",
       ARRAY(SELECT attname::text FROM unnest(k.confkey) WITH ORDINALITY u(n, o) JOIN pg_attribute ON attrelid = k.confrelid AND attnum = u.n ORDER BY o) AS "refColumns"
FROM pg_constraint k JOIN pg_class rc ON rc.oid = k.confrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE k.contype = 'f' AND k.conparentid = 0`;

export async function readCatalog(c: pg.Client): Promise<Catalog> {
  // One after another: a pg client runs one query at a time anyway.
  const tables = await c.query(TABLES_SQL);
  const columns = await c.query(COLUMNS_SQL);
  const indexes = await c.query(INDEXES_SQL);
  const fks = await c.query(FKS_SQL);
  const path = await c.query<{ s: string[] }>('SELECT current_schemas(false)::text[] AS s');
  const byOid = new Map<number, CatalogTable>();
  for (const r of tables.rows) {
    byOid.set(r.oid, {
      oid: r.oid, schema: r.schema, name: r.name, kind: r.kind, partitionRoot: r.root ?? null, estimatedRows: r.reltuples,
      columns: [], primaryKey: null, indexes: [], foreignKeys: [], triggers: r.triggers, checks: r.checks,
    });
  }
  const typeUsers = new Map<string, CatalogTable[]>();
  for (const r of columns.rows) {
    const t = byOid.get(r.rel);
    if (!t) continue;
    const { rel: _rel, userType, ...col } = r;
    t.columns.push(col as CatalogColumn);
    if (userType) {
      const list = typeUsers.get(userType) ?? [];
      if (!list.includes(t)) list.push(t);
      typeUsers.set(userType, list);
    }
  }
  const indexTables = new Map<string, CatalogTable>();
  for (const r of indexes.rows) {
    const t = byOid.get(r.rel);
    if (!t) continue;
    indexTables.set(`${r.schema}.${r.name}`, t);
    const keyed = (r.columns as (string | null)[]).filter((x): x is string => !!x);
    const expressionColumns = (r.columns as (string | null)[]).includes(null)
      ? t.columns.map((col) => col.name).filter((name) => !keyed.includes(name) && mentions(String(r.def), name))
      : [];
    t.indexes.push({ name: r.name, unique: r.unique, primary: r.primary, partial: r.partial, columns: r.columns, expressionColumns, exclusion: r.exclusion });
    if (r.primary) t.primaryKey = keyed;
  }
  for (const r of fks.rows) byOid.get(r.rel)?.foreignKeys.push({ name: r.name, columns: r.columns, refSchema: r.refSchema, refTable: r.refTable, refColumns: r.refColumns });
  return { tables: [...byOid.values()], searchPath: path.rows[0]!.s, indexTables, typeUsers };
}

/** Whether an index definition mentions a column (as a bare or quoted identifier). */
function mentions(def: string, column: string): boolean {
  const keys = def.slice(def.indexOf('('));
  const quoted = `"${column.replace(/"/g, '""')}"`;
  if (keys.includes(quoted)) return true;
  return /^[a-z_][a-z0-9_$]*$/.test(column) && new RegExp(`(^|[^a-z0-9_$"])${column}($|[^a-z0-9_$"])`).test(keys);
}

export type Resolved<T> = { ok: true; value: T } | { ok: false; problem: string };

/** A table as a user names it: exact, else case-insensitive; the search_path first, then any schema. */
export function findTable(catalog: Catalog, schema: NamePart | null, table: NamePart): Resolved<CatalogTable> {
  const all = catalog.tables;
  if (schema) {
    const schemas = [...new Set(all.map((t) => t.schema))];
    const s = matchName(schema, schemas);
    if (!s) return { ok: false, problem: `no schema "${schema.text}"${hint(schema.text, schemas)}` };
    const inSchema = all.filter((t) => t.schema === s);
    const name = matchName(table, inSchema.map((t) => t.name));
    if (!name) return { ok: false, problem: `no table "${s}.${table.text}"${hint(table.text, inSchema.map((t) => t.name))}` };
    return { ok: true, value: inSchema.find((t) => t.name === name)! };
  }
  for (const s of catalog.searchPath) {
    const inSchema = all.filter((t) => t.schema === s);
    const name = matchName(table, inSchema.map((t) => t.name));
    if (name) return { ok: true, value: inSchema.find((t) => t.name === name)! };
  }
  const elsewhere = all.filter((t) => matchName(table, [t.name]));
  if (elsewhere.length === 1) return { ok: true, value: elsewhere[0]! };
  const names = all.map((t) => (catalog.searchPath.includes(t.schema) ? t.name : `${t.schema}.${t.name}`));
  if (elsewhere.length > 1) return { ok: false, problem: `table "${table.text}" exists in several schemas (${elsewhere.map((t) => t.schema).join(', ')}): name the schema` };
  return { ok: false, problem: `no table "${table.text}"${hint(table.text, names)}` };
}

export function findColumn(t: CatalogTable, column: NamePart): Resolved<CatalogColumn> {
  const names = t.columns.map((c) => c.name);
  const name = matchName(column, names);
  if (!name) return { ok: false, problem: `table "${t.name}" has no column "${column.text}"${hint(column.text, names)}` };
  return { ok: true, value: t.columns.find((c) => c.name === name)! };
}

/** Resolves `pick('Booking.uid')`-style references; `null` ref text gives a parse problem. */
export function resolveColumnRef(catalog: Catalog, ref: string): Resolved<{ table: CatalogTable; column: CatalogColumn }> {
  const parsed = parseColumnRef(ref);
  if (!parsed) return { ok: false, problem: `"${ref}" is not "table.column"` };
  const t = findTable(catalog, parsed.schema, parsed.table);
  if (!t.ok) return t;
  const c = findColumn(t.value, parsed.column);
  if (!c.ok) return c;
  return { ok: true, value: { table: t.value, column: c.value } };
}

export function resolveTableRef(catalog: Catalog, ref: string): Resolved<CatalogTable> {
  const parsed = parseTableRef(ref);
  if (!parsed) return { ok: false, problem: `"${ref}" is not "table" or "schema.table"` };
  return findTable(catalog, parsed.schema, parsed.table);
}

/** A `pickRow(table).col(column)`: the column is a bare name, matched exactly, then case-insensitively. */
export function resolveRowColumn(catalog: Catalog, table: string, column: string): Resolved<{ table: CatalogTable; column: CatalogColumn }> {
  const t = resolveTableRef(catalog, table);
  if (!t.ok) return t;
  const c = findColumn(t.value, { text: column, quoted: false });
  if (!c.ok) return c;
  return { ok: true, value: { table: t.value, column: c.value } };
}

const hint = (name: string, candidates: string[]) => {
  const near = nearMatches(name, candidates);
  return near.length ? ` (near: ${near.join(', ')})` : '';
};
