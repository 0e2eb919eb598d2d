// Which seeded tables a derived workload loads: the tables the migrations touch (altered,
// indexed, referenced by a new FK, locked, rewritten; an index's table; the tables using an
// altered enum or domain), plus the tables that reference them by FK.
import type { TouchedRelation } from '../../sql/touched-relations.ts';
import type { Catalog, CatalogTable } from '../catalog.ts';
import { displayTable } from '../names.ts';

export interface TargetTable {
  table: CatalogTable;
  /** Why it is loaded, e.g. "altered by the migration", "references Booking". */
  reasons: string[];
  /** Columns the migrations drop or rename: derived queries leave them out where they can. */
  avoidColumns: Set<string>;
}

const APP_TABLE_KINDS = new Set(['r', 'p']);

export function touchedTables(catalog: Catalog, touches: TouchedRelation[]): { targets: TargetTable[]; notes: string[] } {
  const notes: string[] = [];
  const targets = new Map<number, TargetTable>();
  const target = (t: CatalogTable, reason: string) => {
    // A partition is reached through its root, as the app queries it.
    const root = t.partitionRoot ? catalog.tables.find((x) => x.schema === t.partitionRoot!.schema && x.name === t.partitionRoot!.name) ?? t : t;
    let e = targets.get(root.oid);
    if (!e) targets.set(root.oid, (e = { table: root, reasons: [], avoidColumns: new Set() }));
    if (!e.reasons.includes(reason)) e.reasons.push(reason);
    return e;
  };
  const inPath = (schema: string | null) => (schema ? [schema] : catalog.searchPath);
  const missing = new Set<string>();

  for (const touch of touches) {
    if (touch.how === 'create') continue; // new: no rows in the seed to load
    const label = touch.schema ? `${touch.schema}.${touch.name}` : touch.name;
    if (touch.kind === 'type') {
      const users = inPath(touch.schema).flatMap((s) => catalog.typeUsers.get(`${s}.${touch.name}`) ?? []);
      for (const t of users) if (APP_TABLE_KINDS.has(t.kind)) target(t, `has a column of type ${label}, which the migration changes`);
      continue;
    }
    const table = inPath(touch.schema).map((s) => catalog.tables.find((t) => t.schema === s && t.name === touch.name)).find(Boolean);
    const viaIndex = table ? null : inPath(touch.schema).map((s) => catalog.indexTables.get(`${s}.${touch.name}`)).find(Boolean);
    const t = table ?? viaIndex;
    if (!t) {
      missing.add(label);
      continue;
    }
    if (!APP_TABLE_KINDS.has(t.kind) && !t.partitionRoot) {
      notes.push(`${label} is a ${t.kind === 'v' ? 'view' : t.kind === 'm' ? 'materialized view' : 'foreign table'}: no load derived for it`);
      continue;
    }
    if (touch.how === 'drop' && !viaIndex) {
      notes.push(`${label} is dropped by the migration: the app is taken to no longer use it, so no load is derived for it`);
      continue;
    }
    const e = target(t, viaIndex ? `its index ${label} is ${describe(touch.how)}` : `${describe(touch.how)} by the migration`);
    for (const c of touch.columns) if (c.change === 'DropColumn' || c.change === 'Rename') e.avoidColumns.add(c.name);
  }
  if (missing.size) notes.push(`not in the seeded schema (created by the migration?): ${[...missing].join(', ')}`);

  // The tables that reference a touched table by FK feel its locks too (FK checks, cascades).
  const touched = [...targets.values()].map((e) => e.table);
  for (const t of catalog.tables) {
    if (!APP_TABLE_KINDS.has(t.kind) || t.partitionRoot) continue;
    for (const fk of t.foreignKeys) {
      const parent = touched.find((p) => p.schema === fk.refSchema && p.name === fk.refTable);
      if (parent && parent.oid !== t.oid) target(t, `references ${displayTable(parent.schema, parent.name)}`);
    }
  }
  return { targets: [...targets.values()], notes };
}

const describe = (how: TouchedRelation['how']): string =>
  ({ alter: 'altered', drop: 'dropped', index: 'indexed', reference: 'referenced by a new foreign key', read: 'read', write: 'written', lock: 'locked', truncate: 'truncated', rename: 'renamed', trigger: 'given a trigger or policy', other: 'touched', create: 'created' })[how];
