// No workload given: derive one from the seeded schema and the migration SQL. The load goes on
// the tables the migrations touch and the tables that reference them by FK (touched-tables.ts),
// as key reads, small updates, copy-inserts and FK list reads (derive-queries.ts).
import type pg from 'pg';
import { RehearseError } from '../../errors.ts';
import { SqlSyntaxError } from '../../sql/split-statements.ts';
import { touchedRelations, type TouchedRelation } from '../../sql/touched-relations.ts';
import { resolveTableRef, type Catalog } from '../catalog.ts';
import type { WorkloadDefinition } from '../define.ts';
import { displayTable, quoteIdent, quoteTable } from '../names.ts';
import { deriveListQueries, deriveTableQueries, integerUniqueColumns } from './derive-queries.ts';
import { touchedTables, type TargetTable } from './touched-tables.ts';

export interface DerivedWorkload {
  definition: WorkloadDefinition;
  /** What was loaded and why, and what was skipped and why. */
  notes: string[];
}

export interface DeriveOptions {
  /** The SQL the run's steps execute; the tables it touches get the load. */
  migrationSql: readonly string[];
  /** Instead of the touched tables: these (as "table" or "schema.table"). */
  tables?: readonly string[];
}

export async function deriveWorkload(c: pg.Client, catalog: Catalog, o: DeriveOptions): Promise<DerivedWorkload> {
  const notes: string[] = [];
  let targets: TargetTable[];
  if (o.tables?.length) {
    const problems: string[] = [];
    targets = [];
    for (const ref of o.tables) {
      const t = resolveTableRef(catalog, ref);
      if (t.ok) targets.push({ table: t.value, reasons: ['named in tables'], avoidColumns: new Set() });
      else problems.push(`tables: ${t.problem}`);
    }
    if (problems.length) throw new RehearseError('REH_WORKLOAD_UNKNOWN_NAME', `workloadApp({ tables }) names tables the seeded database does not have:\n  - ${problems.join('\n  - ')}`);
  } else {
    const touches: TouchedRelation[] = [];
    for (const sql of o.migrationSql) {
      try {
        touches.push(...(await touchedRelations(sql)));
      } catch (err) {
        if (!(err instanceof SqlSyntaxError) && !(err as { sqlDetails?: unknown }).sqlDetails) throw err;
        notes.push(`a migration that does not parse was left out of the derivation: ${(err as Error).message}`);
      }
    }
    const found = touchedTables(catalog, touches);
    targets = found.targets;
    notes.push(...found.notes);
  }
  if (targets.length === 0) {
    throw new RehearseError('REH_WORKLOAD_EMPTY', 'no workload was given, and the migrations touch no table of the seeded schema to derive one from', {
      hint: 'Give a workload file (workloadApp({ workload: "workload.ts" })), or name the tables to load (workloadApp({ tables: ["Booking"] })).',
    });
  }

  const maxValues = new Map<string, string>();
  for (const { table: t } of targets) {
    for (const col of integerUniqueColumns(t)) {
      const max = (await c.query<{ m: string | null }>(`SELECT max(${quoteIdent(col.name)})::text AS m FROM ${quoteTable(t.schema, t.name)}`)).rows[0]!.m;
      if (max !== null) maxValues.set(`${t.schema}.${t.name}.${col.name}`, max);
    }
  }

  const queries: WorkloadDefinition['queries'] = {};
  const tables = targets.map((e) => e.table);
  for (const target of targets) {
    notes.push(`${displayTable(target.table.schema, target.table.name)}: ${target.reasons.join('; ')}`);
    const own = deriveTableQueries(target, maxValues);
    const lists = deriveListQueries(target.table, tables);
    Object.assign(queries, own.queries, lists.queries);
    notes.push(...own.notes, ...lists.notes);
  }
  return { definition: { queries }, notes };
}
