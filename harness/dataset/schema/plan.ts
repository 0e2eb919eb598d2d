// From catalog + options to a load plan: row counts per table (roots from --rows, children by
// fan-out, exact counts where named), and a generator for every written column. All problems
// of one kind (unknown names, bad overrides, unfillable columns, unbreakable cycles) are
// collected and reported together.
import { RehearseError } from '../../errors.ts';
import type { RowsSpec } from '../types.ts';
import { columnOf, quoteIdent, type Catalog, type Column, type Table } from './catalog.ts';
import { readChecks, type ColumnFacts } from './checks.ts';
import { chooseGen } from './choose-gen.ts';
import { NULL_BYTES, NullableGen, saltOf, type Gen } from './gen.ts';
import { orderTables, type FkEdge } from './graph.ts';
import { ComboPicker, ComboValueGen, DistinctOrNullPicker, ExistingGen, FkPicker, RefGen, type RowPicker } from './key-gens.ts';
import { isSqlOverride, overrideGen, overrideProblems, type ColumnOverride } from './overrides.ts';
import { encode, type Pools } from './pools.ts';
import { semanticOf, startColumnFor } from './semantic.ts';
import { resolveType } from './shapes.ts';
import { display, nearMatches, resolveTable, splitName } from './table-names.ts';
import { planKeys, type ColumnInfo, type TableKeys } from './table-keys.ts';
import { SequenceGen, type TimeSource } from './value-gens.ts';

/** Rows of root tables when --rows gives nothing at all. */
export const DEFAULT_ROOT_ROWS = 10_000;
/** Rows of root tables no one named, when --rows names only some tables. */
export const SMALL_DEFAULT_ROWS = 1_000;
/**
 * Children per parent row. Counts compound with depth (a 4-level hierarchy is fanout^4 × its
 * roots): 2 keeps the 11-table example at ≈45× its roots, seedable on a laptop at 200k roots,
 * while still making every child table larger than its parent, as in production.
 */
export const DEFAULT_FANOUT = 2;

export interface PlanOptions {
  seed: number;
  rows: RowsSpec;
  fanout: number;
  overrides: Record<string, ColumnOverride>;
}

export interface TablePlan {
  table: Table;
  key: string;
  rows: number;
  /** Reference data the baseline inserted: kept, not generated. */
  keep: boolean;
  columns: { column: Column; gen: Gen }[];
  sqlDefaults: { column: Column; sql: string }[];
}

export interface SeedPlan {
  tables: TablePlan[];
  notes: string[];
}

/** Reads the existing rows' values of some columns of a table, as COPY text per column. */
export type ReadExisting = (table: Table | number, columns: number[]) => Promise<Buffer[][]>;

const nullRateOf = (column: string): number => {
  const sem = semanticOf(column);
  if (sem === 'deletedAt') return 0.9;
  if (sem === 'futureAt') return 0.5;
  if (sem === 'longText' || sem === 'title') return 0.2;
  return 0.1;
};

function resolveOverrides(catalog: Catalog, overrides: Record<string, ColumnOverride>, unknown: string[]): Map<Table, Map<number, ColumnOverride>> {
  const out = new Map<Table, Map<number, ColumnOverride>>();
  for (const [text, o] of Object.entries(overrides)) {
    const parts = splitName(text);
    if (parts.length < 2) {
      unknown.push(`override "${text}" must name table.column`);
      continue;
    }
    const col = parts.at(-1)!;
    const tableText = parts.slice(0, -1).map((p) => (p.quoted ? `"${p.part.replace(/"/g, '""')}"` : p.part)).join('.');
    const t = resolveTable(tableText, catalog.tables);
    if ('problem' in t) {
      unknown.push(`override "${text}": ${t.problem}`);
      continue;
    }
    const c = t.columns.find((x) => x.name === col.part) ?? (col.quoted ? undefined : t.columns.find((x) => x.name.toLowerCase() === col.part.toLowerCase()));
    if (!c) {
      const near = nearMatches(col.part, t.columns.map((x) => x.name));
      unknown.push(`override "${text}": ${display(t)} has no column "${col.part}"${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`);
      continue;
    }
    if (!out.has(t)) out.set(t, new Map());
    out.get(t)!.set(c.num, o);
  }
  return out;
}

export async function planSeed(catalog: Catalog, opts: PlanOptions, pools: Pools, readExisting: ReadExisting): Promise<SeedPlan> {
  const notes: string[] = [];
  const unknown: string[] = [];
  const keyOf = (t: Table) => display(t);
  const byKey = new Map(catalog.tables.map((t) => [keyOf(t), t]));

  const badCounts = [
    ...(opts.rows.default !== undefined && !(Number.isSafeInteger(opts.rows.default) && opts.rows.default >= 0) ? [`--rows ${opts.rows.default}`] : []),
    ...Object.entries(opts.rows.tables).filter(([, n]) => !(Number.isSafeInteger(n) && n >= 0)).map(([t, n]) => `--rows ${t}=${n}`),
  ];
  if (badCounts.length) throw new RehearseError('REH_CLI_BAD_VALUE', `row counts must be non-negative integers: ${badCounts.join(', ')}`);
  const named = new Map<Table, number>();
  for (const [text, n] of Object.entries(opts.rows.tables)) {
    const t = resolveTable(text, catalog.tables);
    if ('problem' in t) unknown.push(`--rows ${text}=${n}: ${t.problem}`);
    else named.set(t, n);
  }
  const overrides = resolveOverrides(catalog, opts.overrides, unknown);
  if (unknown.length) throw new RehearseError('REH_DATASET_UNKNOWN_TABLE', unknown.join('\n  '));
  const bad: string[] = [];
  for (const [text, o] of Object.entries(opts.overrides)) bad.push(...(await overrideProblems(text, o, pools)));
  for (const [t, cols] of overrides) {
    for (const [num, o] of cols) {
      const refs = catalog.tables.flatMap((c) => c.foreignKeys.filter((fk) => fk.parent === t.oid && fk.parentColumns.includes(num)).map((fk) => `${keyOf(c)}.${fk.name}`));
      if (isSqlOverride(o) && refs.length) bad.push(`${keyOf(t)}.${columnOf(t, num).name}: a SQL override cannot fill a key other tables reference (${refs.join(', ')}); use { values } or a faker path`);
    }
  }
  if (bad.length) throw new RehearseError('REH_DATASET_BAD_OVERRIDE', bad.join('\n  '));

  // Order and cycles.
  const edges: FkEdge[] = [];
  for (const t of catalog.tables) {
    for (const fk of t.foreignKeys) {
      const parent = catalog.byOid.get(fk.parent);
      if (!parent) continue;
      const cols = fk.columns.map((c) => columnOf(t, c));
      edges.push({ child: keyOf(t), parent: keyOf(parent), label: `${keyOf(t)}.${cols.map((c) => c.name).join(',')} → ${keyOf(parent)}`, breakable: fk.deferrable || cols.some((c) => !c.notNull) });
    }
  }
  const order = orderTables([...byKey.keys()], edges);
  if (order.unbreakable.length) {
    throw new RehearseError('REH_DATASET_FK_CYCLE', `foreign keys form a cycle with no nullable or DEFERRABLE key: ${order.unbreakable.map((c) => c.join(', ')).join('; ')}`, {
      hint: `Make one of those foreign keys nullable or DEFERRABLE INITIALLY DEFERRED (otherwise no application could insert the first row), e.g. ALTER TABLE … ALTER COLUMN … DROP NOT NULL.`,
    });
  }
  for (const e of order.broken) notes.push(`FK cycle broken at nullable ${e.label}: it does not drive row counts; its values are written directly in the COPY (foreign keys are added after the load, so no UPDATE pass is needed)`);

  // Phase A: per table, in order: facts, keys, row counts.
  const rootRows = opts.rows.default ?? (named.size ? SMALL_DEFAULT_ROWS : DEFAULT_ROOT_ROWS);
  const count = new Map<string, number>();
  const infos = new Map<string, Map<number, ColumnInfo>>();
  const keysOf = new Map<string, TableKeys>();
  const orders = new Map<string, ReturnType<typeof readChecks>['orders']>();
  /** Rows a parent will have: generated ones by count, kept or outside ones as read. */
  const parentRowsOf = (parentOid: number, cols: number[]): number => {
    const p = catalog.byOid.get(parentOid);
    return p && p.existingRows === 0 ? (count.get(keyOf(p)) ?? 0) : existingRowsOf(parentOid, cols);
  };
  // Parents the generator does not write (reference data, tables outside the seeded set): their rows, read once.
  const existing = new Map<string, Buffer[][]>();
  const existingKey = (oid: number, cols: number[]) => `${oid}:${cols.join(',')}`;
  for (const t of catalog.tables) {
    for (const fk of t.foreignKeys) {
      const p = catalog.byOid.get(fk.parent);
      if (p && p.existingRows === 0) continue;
      const k = existingKey(fk.parent, fk.parentColumns);
      if (!existing.has(k)) existing.set(k, await readExisting(p ?? fk.parent, fk.parentColumns));
    }
  }
  const existingRowsOf = (oid: number, cols: number[]): number => existing.get(existingKey(oid, cols))?.[0]?.length ?? 0;
  for (const key of order.order) {
    const t = byKey.get(key)!;
    const checks = readChecks(t.checks.map((c) => c.expr));
    orders.set(key, checks.orders);
    const info = new Map<number, ColumnInfo>();
    for (const c of t.columns) {
      const type = resolveType(catalog.types, c.type, c.typmod);
      const facts: ColumnFacts = { ...(type.domainChecks.length ? readChecks(type.domainChecks).columns.get('value') : {}), ...checks.columns.get(c.name) };
      if (t.partition?.column === c.name) {
        if (t.partition.values) facts.values = t.partition.values;
        if (t.partition.ranges) facts.spans = t.partition.ranges;
      }
      info.set(c.num, { column: { ...c, notNull: c.notNull || type.domainNotNull || facts.notNull === true || t.partition?.column === c.name }, shape: type.shape, facts, overridden: overrides.get(t)?.has(c.num) ?? false });
    }
    infos.set(key, info);
    if (t.existingRows > 0) {
      count.set(key, t.existingRows);
      notes.push(`${key}: kept the ${t.existingRows} row(s) the baseline inserted (reference data)${named.has(t) ? `; --rows ${key}=${named.get(t)} does not apply to it` : ''}`);
      continue;
    }
    const keys = planKeys(t, info);
    keysOf.set(key, keys);
    const parents = edges.filter((e) => e.child === key && e.parent !== key && !order.broken.includes(e)).map((e) => count.get(e.parent) ?? 0);
    let rows = named.get(t) ?? (parents.length ? Math.max(1, Math.round(opts.fanout * Math.max(...parents))) : rootRows);
    for (const combo of keys.combos) {
      if (optionalOneToOne(combo, info)) continue; // rows past the parents' count get NULL instead
      const capacity = combo.components.reduce((m, x) => m * (x.kind === 'fk' ? parentRowsOf(x.fk.parent, x.fk.parentColumns) : x.values.length), 1);
      if (capacity < rows) {
        notes.push(`${key}: ${rows} rows asked, but only ${capacity} distinct (${combo.columns.map((c) => columnOf(t, c).name).join(', ')}) exist; seeded ${capacity}`);
        rows = capacity;
      }
    }
    for (const set of keys.unguaranteed) notes.push(`${key}: could not guarantee unique (${set.map((c) => columnOf(t, c).name).join(', ')}); the index build checks it`);
    count.set(key, rows);
  }

  // Salts come from names, never OIDs: the same schema applied twice gets other OIDs.
  const parentName = (oid: number): string => {
    const p = catalog.byOid.get(oid);
    return p ? keyOf(p) : `external:${oid}`;
  };

  // Phase B: generators.
  const unfillable: string[] = [];
  const plans = new Map<string, TablePlan>();
  const links: { gen: RefGen; parent: number; column: number; fkColumns: number[]; child: string }[] = [];
  for (const key of order.order) {
    const t = byKey.get(key)!;
    const rows = count.get(key)!;
    const plan: TablePlan = { table: t, key, rows, keep: t.existingRows > 0, columns: [], sqlDefaults: [] };
    plans.set(key, plan);
    if (plan.keep) continue;
    const info = infos.get(key)!;
    const keys = keysOf.get(key)!;
    const gens = new Map<number, Gen>();
    const pickers = new Map<string, RowPicker>();
    for (const combo of keys.combos) {
      const only = combo.components[0]!;
      if (only.kind === 'fk' && optionalOneToOne(combo, info)) {
        pickers.set(only.fk.name, new DistinctOrNullPicker(Math.max(1, parentRowsOf(only.fk.parent, only.fk.parentColumns)), rows, 0.15, opts.seed ^ saltOf(`${key}:${combo.columns.join(',')}`)));
        continue;
      }
      const sizes = combo.components.map((x) => (x.kind === 'fk' ? Math.max(1, parentRowsOf(x.fk.parent, x.fk.parentColumns)) : x.values.length));
      const picker = new ComboPicker(sizes, opts.seed ^ saltOf(`${key}:${combo.columns.join(',')}`));
      combo.components.forEach((x, k) => {
        if (x.kind === 'fk') pickers.set(x.fk.name, picker.component(k));
        else gens.set(x.num, new ComboValueGen(x.values.map(encode), picker.component(k)));
      });
    }
    const created = t.columns.find((c) => semanticOf(c.name) === 'createdAt' && info.get(c.num)!.shape.kind === 'time');
    const building = new Set<number>();
    const build = (c: Column): Gen | undefined => {
      const done = gens.get(c.num);
      if (done || building.has(c.num)) return done;
      building.add(c.num);
      const i = info.get(c.num)!;
      const salt = saltOf(`${key}.${c.name}`);
      const override = overrides.get(t)?.get(c.num);
      const own = keys.owner.get(c.num);
      const notNull = i.column.notNull;
      let gen: Gen | undefined;
      if (override) gen = overrideGen(override, pools, opts.seed, salt) ?? undefined;
      else if (own) {
        let picker = pickers.get(own.fk.name);
        if (!picker) {
          const self = own.fk.parent === t.oid;
          const nullable = own.fk.columns.some((n) => !info.get(n)!.column.notNull);
          const parentRows = self ? rows : parentRowsOf(own.fk.parent, own.fk.parentColumns);
          if (parentRows === 0 && notNull) {
            unfillable.push(`${key}.${c.name}: it must reference ${own.fk.name}'s parent, which has no rows and is not seeded`);
            return undefined;
          }
          picker = new FkPicker(opts.seed, saltOf(`${key}:${own.fk.name}`), Math.max(1, parentRows), nullable ? (self ? 0.3 : 0.15) : 0, self, opts.seed ^ saltOf(parentName(own.fk.parent)));
          pickers.set(own.fk.name, picker);
        }
        const ref = new RefGen(picker, notNull);
        links.push({ gen: ref, parent: own.fk.parent, column: own.fk.parentColumns[own.k]!, fkColumns: own.fk.parentColumns, child: `${key}.${c.name}` });
        gen = ref;
      } else if (c.sequence && keys.injective.has(c.num)) gen = new SequenceGen(c.sequence.start, c.sequence.increment);
      else {
        const checked = orders.get(key)!.find((o) => o.later === c.name);
        const start = checked ? undefined : startColumnFor(c.name, t.columns.map((x) => x.name));
        const after = checked ?? (start ? { earlier: start, strict: false } : undefined);
        const choice = chooseGen({
          seed: opts.seed,
          salt,
          rows,
          pools,
          table: t.name,
          column: c.name,
          shape: i.shape,
          facts: i.facts,
          injective: keys.injective.has(c.num),
          timeOf: (name) => {
            const other = t.columns.find((x) => x.name === name);
            const g = other ? build(other) : undefined;
            const inner = g instanceof NullableGen ? g.inner : g;
            return inner && 'seconds' in inner ? (inner as unknown as TimeSource) : undefined;
          },
          createdColumn: created?.name,
          after: after && { column: after.earlier, strict: after.strict },
        });
        if ('unfillable' in choice) {
          unfillable.push(`${key}.${c.name} (${c.typeSql}): ${choice.unfillable}; add e.g. columns: { '${t.name}.${c.name}': { sql: "NULL" } } or { values: [...] } to the config`);
          return undefined;
        }
        gen = choice;
        if (!notNull && !keys.injective.has(c.num) && !(t.primaryKey ?? []).includes(c.num)) gen = new NullableGen(gen, nullRateOf(c.name), opts.seed, salt ^ 0x2545f491);
      }
      if (gen) gens.set(c.num, gen);
      return gen;
    };
    for (const c of t.columns) {
      if (c.generated) continue;
      const o = overrides.get(t)?.get(c.num);
      if (o && isSqlOverride(o)) {
        plan.sqlDefaults.push({ column: c, sql: o.sql });
        continue;
      }
      const gen = build(c);
      if (gen) plan.columns.push({ column: c, gen });
    }
  }
  if (unfillable.length) throw new RehearseError('REH_DATASET_UNFILLABLE_COLUMN', `no generator can fill ${unfillable.length === 1 ? 'this column' : 'these columns'}:\n  ${unfillable.join('\n  ')}`);

  // Link references to their parents' generators (or to the rows a parent already holds).
  for (const l of links) {
    const parent = catalog.byOid.get(l.parent);
    const plan = parent && plans.get(keyOf(parent));
    if (plan && !plan.keep) {
      const g = plan.columns.find((c) => c.column.num === l.column)?.gen;
      if (!g) throw new RehearseError('REH_DATASET_UNFILLABLE_COLUMN', `${l.child} references ${plan.key}.${columnOf(plan.table, l.column).name}, which the generator does not write (generated column or SQL override)`);
      l.gen.link(g);
    } else {
      const values = existing.get(existingKey(l.parent, l.fkColumns))?.[l.fkColumns.indexOf(l.column)] ?? [];
      l.gen.link(new ExistingGen(values.length ? values : [NULL_BYTES]));
    }
  }
  return { tables: order.order.map((k) => plans.get(k)!), notes };
}

/** A nullable unique FK (users.avatar_file_id): distinct parents where set, so it never caps the table. */
function optionalOneToOne(combo: { components: { kind: string; fk?: { columns: number[] } }[] }, info: Map<number, ColumnInfo>): boolean {
  const [only, ...rest] = combo.components;
  return rest.length === 0 && only!.kind === 'fk' && only!.fk!.columns.every((c) => !info.get(c)!.column.notNull);
}

export const quoteColumn = (c: Column): string => quoteIdent(c.name);
