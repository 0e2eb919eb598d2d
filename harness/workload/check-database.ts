// Checks of a workload against the seeded database, before the load starts:
// - every pick()/pickRow() names a table and column that exist (an error, with near matches);
// - every query of every version prepares (a note only: a query of a later version may need a
//   column the migration adds, and a query that fails at run time is counted by SQLSTATE).
import { RehearseError } from '../errors.ts';
import { resolveColumnRef, resolveRowColumn, type Catalog } from './catalog.ts';
import { forEachGenerator } from './generators.ts';
import type { ResolvedWorkload } from './resolve.ts';
import type { TableSample } from './sample.ts';
import { pgClient } from '../postgres/client.ts';

export function checkNames(catalog: Catalog, w: ResolvedWorkload, where?: string): void {
  const problems = new Set<string>();
  for (const [route, r] of Object.entries(w.routes)) {
    forEachGenerator(r.params, (g) => {
      const found = g.gen === 'pick' ? resolveColumnRef(catalog, g.ref) : g.gen === 'row' ? resolveRowColumn(catalog, g.table, g.column) : null;
      if (found && !found.ok) {
        const what = g.gen === 'pick' ? `pick(${JSON.stringify(g.ref)})` : `pickRow(${JSON.stringify((g as { table: string }).table)}).col(${JSON.stringify((g as { column: string }).column)})`;
        problems.add(`query "${route}": ${what}: ${found.problem}`);
      }
    });
  }
  if (problems.size) {
    throw new RehearseError('REH_WORKLOAD_UNKNOWN_NAME', `the workload names tables or columns the seeded database does not have:\n  - ${[...problems].join('\n  - ')}`, { where });
  }
}

/** Notes for statements that do not prepare on the seeded schema (PREPARE parses and plans, never runs). */
export async function prepareNotes(databaseUrl: string, w: ResolvedWorkload): Promise<string[]> {
  const c = pgClient(databaseUrl, 'rehearse-setup');
  await c.connect();
  const notes: string[] = [];
  try {
    await c.query('BEGIN READ ONLY');
    let n = 0;
    for (const [name, r] of Object.entries(w.routes)) {
      const checked = new Set<string>();
      for (const v of w.versions) {
        for (const s of r.versions[v] ?? []) {
          if (checked.has(s.sql)) continue;
          checked.add(s.sql);
          const stmt = `rehearse_check_${++n}`;
          await c.query(`SAVEPOINT s`);
          try {
            await c.query(`PREPARE ${stmt} AS ${s.sql}`);
            await c.query(`DEALLOCATE ${stmt}`);
            await c.query('RELEASE SAVEPOINT s');
          } catch (err) {
            await c.query('ROLLBACK TO SAVEPOINT s');
            const code = (err as { code?: string }).code;
            notes.push(`query "${name}" (${v}) does not prepare on the seeded schema${code ? ` (${code})` : ''}: ${(err as Error).message}; requests to it count as errors until a migration makes it valid`);
          }
        }
      }
    }
  } finally {
    await c.query('ROLLBACK').catch(() => {});
    await c.end();
  }
  return notes;
}

/** A pick() of a column that is NULL in every sampled row would send only NULLs: refuse it. */
export function checkPickedValues(catalog: Catalog, w: ResolvedWorkload, samples: Map<string, TableSample>): void {
  const problems = new Set<string>();
  for (const [route, r] of Object.entries(w.routes)) {
    forEachGenerator(r.params, (g) => {
      if (g.gen !== 'pick') return;
      const found = resolveColumnRef(catalog, g.ref);
      const s = found.ok ? samples.get(`${found.value.table.schema}.${found.value.table.name}`) : undefined;
      if (!found.ok || !s) return;
      const at = s.columns.indexOf(found.value.column.name);
      if (s.rows.length > 0 && s.rows.every((row) => row[at] === null)) {
        problems.add(`query "${route}": pick(${JSON.stringify(g.ref)}): the column is NULL in all ${s.rows.length} sampled rows`);
      }
    });
  }
  if (problems.size) throw new RehearseError('REH_WORKLOAD_NO_ROWS', `the seeded data has nothing to pick:\n  - ${[...problems].join('\n  - ')}`);
}
