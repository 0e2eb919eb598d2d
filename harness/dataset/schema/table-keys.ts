// How one table keeps its keys: which foreign key fills which column, which column of each
// PK/UNIQUE set is made distinct per row, and which sets need distinct combinations instead
// (join tables, 1:1 keys, unique (user_id, provider)). This also caps the row count where a
// combination space is smaller than the rows asked for.
import { columnOf, type Column, type ForeignKey, type Table } from './catalog.ts';
import type { ColumnFacts } from './checks.ts';
import type { Shape } from './shapes.ts';
import { canBeInjective } from './shapes.ts';

export type Component = { kind: 'fk'; fk: ForeignKey } | { kind: 'col'; num: number; values: string[] };

export interface Combo {
  components: Component[];
  columns: number[];
}

export interface TableKeys {
  /** Column → the foreign key (and position in it) that fills it. */
  owner: Map<number, { fk: ForeignKey; k: number }>;
  injective: Set<number>;
  combos: Combo[];
  /** Sets we could not guarantee; the index build will tell if they break. */
  unguaranteed: number[][];
}

export interface ColumnInfo {
  column: Column;
  shape: Shape;
  facts: ColumnFacts;
  overridden: boolean;
}

/** Finite values a column can take, if few: enum labels, CHECK lists, booleans. */
export function finiteValues(info: ColumnInfo): string[] | undefined {
  if (info.facts.values) return info.facts.values;
  if (info.shape.kind === 'enum') return info.shape.labels;
  if (info.shape.kind === 'bool') return ['t', 'f'];
  return undefined;
}

/** Preference when a set has several candidates: text reads naturally with a suffix, then numbers, ids, times. */
const RANK: Record<string, number> = { text: 0, int: 1, uuid: 2, numeric: 3, float: 3, bytea: 4, time: 5 };

export function planKeys(table: Table, info: Map<number, ColumnInfo>): TableKeys {
  const keys: TableKeys = { owner: new Map(), injective: new Set(), combos: [], unguaranteed: [] };
  const fks = [...table.foreignKeys].sort((a, b) => b.columns.length - a.columns.length || a.name.localeCompare(b.name));
  for (const fk of fks) {
    const free = fk.columns.filter((c) => !keys.owner.has(c) && !info.get(c)!.overridden);
    // A key whose columns another key already fills holds through that one (tenant-scoped composite keys).
    if (free.length === 0) continue;
    fk.columns.forEach((c, k) => {
      if (free.includes(c)) keys.owner.set(c, { fk, k });
    });
  }
  const sequenced = (c: number) => columnOf(table, c).sequence !== null && !keys.owner.has(c) && !info.get(c)!.overridden;
  const inCombo = (c: number) => keys.combos.some((x) => x.columns.includes(c));
  const sets = [...(table.primaryKey ? [table.primaryKey] : []), ...table.uniques, ...table.uniqueExpressionColumns];
  for (const set of sets) {
    if (set.some((c) => keys.injective.has(c))) continue;
    const seq = set.find(sequenced);
    if (seq !== undefined) {
      keys.injective.add(seq);
      continue;
    }
    if (keys.combos.some((x) => x.columns.every((c) => set.includes(c)))) continue;
    const candidates = set.filter((c) => {
      const i = info.get(c)!;
      return !keys.owner.has(c) && !i.overridden && !inCombo(c) && !finiteValues(i) && canBeInjective(i.shape);
    });
    if (candidates.length) {
      candidates.sort((a, b) => RANK[info.get(a)!.shape.kind]! - RANK[info.get(b)!.shape.kind]!);
      keys.injective.add(candidates[0]!);
      continue;
    }
    const components: Component[] = [];
    let ok = true;
    for (const c of set) {
      const own = keys.owner.get(c);
      const values = finiteValues(info.get(c)!);
      if (own) {
        if (!components.some((x) => x.kind === 'fk' && x.fk === own.fk)) components.push({ kind: 'fk', fk: own.fk });
      } else if (values && !info.get(c)!.overridden) components.push({ kind: 'col', num: c, values });
      else ok = false;
    }
    const columns = components.flatMap((x) => (x.kind === 'fk' ? x.fk.columns.filter((c) => keys.owner.get(c)?.fk === x.fk) : [x.num]));
    if (!ok || columns.some(inCombo) || expressionOnly(set, table)) keys.unguaranteed.push(set);
    else keys.combos.push({ components, columns });
  }
  return keys;
}

/** Sets from expression indexes only guide the choice of a distinct column; they never form combinations. */
const expressionOnly = (set: number[], table: Table): boolean => table.uniqueExpressionColumns.includes(set);
