// The default workload for one table, from its catalog facts alone, read-heavy like most apps:
// - read:   SELECT * by primary key (6)
// - update: one small write by key, taking the row lock, as production does: `updated_at = now()`
//           when there is such a column, else a non-key column set to itself (2)
// - insert: a copy of a random existing row with its unique columns varied, so FKs, CHECKs and
//           NOT NULL hold without knowing the data (1)
// - list:   for an FK child, its rows of one parent, when an index serves that (2)
// A table where one of these cannot be derived safely is skipped for it, with a note saying why.
import type { CatalogColumn, CatalogTable } from '../catalog.ts';
import type { QueryDef } from '../define.ts';
import { pickRow, seq, type Param } from '../generators.ts';
import { displayTable, quoteIdent, quoteTable } from '../names.ts';
import type { TargetTable } from './touched-tables.ts';

export const WEIGHTS = { read: 6, update: 2, insert: 1, list: 2 } as const;

const UPDATED_AT = /^(updated|updated_?(at|on)|modified(_?at)?|last_?modified(_?at)?|last_?updated(_?at)?)$/i;
/** Room for the suffix of a varied unique text value: '-' and a seq() value like 'w<tag>-<n>'. */
const SUFFIX_ROOM = 32;
const LIST_LIMIT = 50;

export interface TableQueries {
  queries: Record<string, QueryDef>;
  notes: string[];
}

/** The key reads and writes address rows by: the primary key, else a NOT NULL unique key without predicate or expressions. */
export function rowKey(t: CatalogTable): string[] | null {
  if (t.primaryKey?.length) return t.primaryKey;
  const notNull = new Set(t.columns.filter((c) => c.notNull).map((c) => c.name));
  const candidates = t.indexes
    .filter((i) => i.unique && !i.partial && !i.exclusion && i.columns.every((c) => c !== null && notNull.has(c)))
    .sort((a, b) => a.columns.length - b.columns.length || a.name.localeCompare(b.name));
  return (candidates[0]?.columns as string[] | undefined) ?? null;
}

export function deriveTableQueries(target: TargetTable, maxValues: Map<string, string>): TableQueries {
  const t = target.table;
  const name = displayTable(t.schema, t.name);
  const from = quoteTable(t.schema, t.name);
  const queries: Record<string, QueryDef> = {};
  const notes: string[] = [];
  const key = rowKey(t);
  if (!key) {
    notes.push(`${name}: no primary key or NOT NULL unique key, so no row can be addressed: no reads, updates or inserts derived`);
    return { queries, notes };
  }
  const row = pickRow(`${quoteIdent(t.schema)}.${quoteIdent(t.name)}`);
  const keyParams: Param[] = key.map((k) => row.col(k));
  const where = key.map((k, i) => `${quoteIdent(k)} = $${i + 1}`).join(' AND ');

  queries[`${name}:read`] = { sql: `SELECT * FROM ${from} WHERE ${where}`, params: keyParams, weight: WEIGHTS.read };

  const update = updateSet(t, key, target.avoidColumns);
  if (update) queries[`${name}:update`] = { sql: `UPDATE ${from} SET ${update} WHERE ${where}`, params: keyParams, weight: WEIGHTS.update };
  else notes.push(`${name}: every column is part of a key or index that an update could break: no update derived`);

  const insert = insertCopy(t, key, keyParams, maxValues);
  if ('sql' in insert) queries[`${name}:insert`] = { sql: insert.sql, params: insert.params, weight: WEIGHTS.insert };
  else notes.push(`${name}: no insert derived: ${insert.skip}`);
  return { queries, notes };
}

/** `SELECT * FROM child WHERE fk = $1 LIMIT 50` for each FK of `child` to one of `parents`, when an index leads with the FK columns. */
export function deriveListQueries(child: CatalogTable, parents: CatalogTable[]): TableQueries {
  const queries: Record<string, QueryDef> = {};
  const notes: string[] = [];
  const name = displayTable(child.schema, child.name);
  for (const fk of child.foreignKeys) {
    if (!parents.some((p) => p.schema === fk.refSchema && p.name === fk.refTable)) continue;
    const served = child.indexes.some((i) => !i.partial && fk.columns.every((c) => i.columns.slice(0, fk.columns.length).includes(c)));
    if (!served) {
      notes.push(`${name}: no index leads with (${fk.columns.join(', ')}), so listing its rows of one ${fk.refTable} would scan the table: no list read derived`);
      continue;
    }
    const row = pickRow(`${quoteIdent(child.schema)}.${quoteIdent(child.name)}`);
    const where = fk.columns.map((c, i) => `${quoteIdent(c)} = $${i + 1}`).join(' AND ');
    queries[`${name}:by-${fk.columns.join('-')}`] = {
      sql: `SELECT * FROM ${quoteTable(child.schema, child.name)} WHERE ${where} LIMIT ${LIST_LIMIT}`,
      params: fk.columns.map((c) => row.col(c)),
      weight: WEIGHTS.list,
    };
  }
  return { queries, notes };
}

const inUniqueIndex = (t: CatalogTable, col: string) => t.indexes.some((i) => (i.unique || i.exclusion) && (i.columns.includes(col) || i.expressionColumns.includes(col)));
const inAnyIndex = (t: CatalogTable, col: string) => t.indexes.some((i) => i.columns.includes(col) || i.expressionColumns.includes(col));
const inForeignKey = (t: CatalogTable, col: string) => t.foreignKeys.some((f) => f.columns.includes(col));

function updateSet(t: CatalogTable, key: string[], avoid: Set<string>): string | null {
  const candidates = t.columns.filter((c) => !key.includes(c.name) && !c.generated && !c.identity && !avoid.has(c.name) && !inUniqueIndex(t, c.name) && !inForeignKey(t, c.name));
  const stamp = candidates.find((c) => UPDATED_AT.test(c.name) && c.typeCategory === 'D');
  if (stamp) return `${quoteIdent(stamp.name)} = now()`;
  // Prefer a column no index covers: the update can stay HOT, as most small app updates do.
  const col = candidates.find((c) => !inAnyIndex(t, c.name)) ?? candidates[0];
  return col ? `${quoteIdent(col.name)} = ${quoteIdent(col.name)}` : null;
}

const isSerialDefault = (c: CatalogColumn) => !!c.defaultExpr && /^nextval\(/i.test(c.defaultExpr);
const INT_TYPES = new Set(['int2', 'int4', 'int8', 'numeric']);

/** Extra params of an insert, allocated as needed after the key params. */
class InsertParams {
  readonly params: Param[] = [];
  private text: string | null = null;
  private int: string | null = null;
  constructor(private readonly first: number) {}
  /** A string unique per request, e.g. 'wholdlz3k9a1-17'. */
  textSeq(): string {
    return (this.text ??= this.add(seq({ prefix: 'w' })));
  }
  /** An integer unique per request, counting up from 1. */
  intSeq(): string {
    return (this.int ??= this.add(seq()));
  }
  private add(p: Param): string {
    this.params.push(p);
    return `$${this.first + this.params.length - 1}`;
  }
}

/** How a unique column can take a fresh value: null when it cannot be varied safely. */
function varied(t: CatalogTable, c: CatalogColumn, extra: InsertParams, maxValues: Map<string, string>): string | null {
  if (inForeignKey(t, c.name)) return null; // a fresh value would reference no parent
  if (c.typeName === 'uuid') return 'gen_random_uuid()';
  if (c.typeCategory === 'S' && !(c.maxLength !== null && c.maxLength < SUFFIX_ROOM + 8)) {
    const keep = c.maxLength !== null ? `left(${quoteIdent(c.name)}, ${c.maxLength - SUFFIX_ROOM})` : quoteIdent(c.name);
    return `${keep} || '-' || ${extra.textSeq()}::text`;
  }
  // Above the seeded maximum: unique among the seeded rows and among the inserts (seq() never repeats).
  const max = maxValues.get(`${t.schema}.${t.name}.${c.name}`);
  if (INT_TYPES.has(c.typeName) && max !== undefined) return `${max}::numeric + ${extra.intSeq()}::int8`;
  return null;
}

function insertCopy(t: CatalogTable, key: string[], keyParams: Param[], maxValues: Map<string, string>): { sql: string; params: Param[] } | { skip: string } {
  const extra = new InsertParams(keyParams.length + 1);
  const unique = t.indexes.filter((i) => i.unique || i.exclusion);
  // Columns left to their default: identity, serial, generated.
  const defaulted = new Set(t.columns.filter((c) => c.generated || c.identity || isSerialDefault(c)).map((c) => c.name));
  const variedCols = new Map<string, string>();
  for (const idx of unique) {
    const keyCols = [...idx.columns.filter((c): c is string => c !== null), ...idx.expressionColumns];
    if (keyCols.some((c) => defaulted.has(c) || variedCols.has(c))) continue; // already fresh
    const expr = keyCols.map((name) => [name, varied(t, t.columns.find((c) => c.name === name)!, extra, maxValues)] as const).find(([, e]) => e);
    if (!expr) {
      const what = idx.exclusion ? 'exclusion constraint' : idx.primary ? 'primary key' : 'unique index';
      return { skip: `its ${what} ${idx.name} (${keyCols.join(', ')}) has no column that can take a fresh value safely (uuid, text, or an integer that is not a foreign key)` };
    }
    variedCols.set(expr[0], expr[1]!);
  }
  const cols = t.columns.filter((c) => !defaulted.has(c.name));
  const target = quoteTable(t.schema, t.name);
  if (cols.length === 0) return { sql: `INSERT INTO ${target} DEFAULT VALUES`, params: [] };
  const where = key.map((k, i) => `${quoteIdent(k)} = $${i + 1}`).join(' AND ');
  return {
    sql: `INSERT INTO ${target} (${cols.map((c) => quoteIdent(c.name)).join(', ')}) SELECT ${cols.map((c) => variedCols.get(c.name) ?? quoteIdent(c.name)).join(', ')} FROM ${target} WHERE ${where}`,
    params: [...keyParams, ...extra.params],
  };
}

/** Integer unique columns that an insert may vary from their current maximum (read once from the seeded data). */
export function integerUniqueColumns(t: CatalogTable): CatalogColumn[] {
  return t.columns.filter((c) => INT_TYPES.has(c.typeName) && !c.identity && !isSerialDefault(c) && !inForeignKey(t, c.name) && inUniqueIndex(t, c.name));
}
