// Your own migration as a rehearsal: `--schema` is the baseline (applied to an empty database,
// then every table seeded from the catalog), `--migrations` the files to rehearse, one sql step
// per file in the tool's apply order, each statement traced with its file:line. The app is the
// workload app: your workload file, or one derived from the schema and the tables the migrations
// touch. This builds an ordinary scenario, so it runs on the same code path as every scenario.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { schemaDataset } from '../dataset/schema/index.ts';
import { RehearseError } from '../errors.ts';
import { readSqlSources, type SqlFile } from '../migrations/read-sql-sources.ts';
import type { ScenarioDefinition, SqlStep, Step } from '../scenario.ts';
import { workloadApp } from '../workload/workload-app.ts';
import { validateScenario } from './load-scenario.ts';
import type { RunPlan } from './plan-run.ts';
import type { RunInput } from './run-input.ts';
import { displayPath } from './sql-files.ts';

/** Steady traffic before the first migration and after the last, so their effect has a before and an after. */
export const OWN_BASELINE_SECONDS = 5;
export const OWN_AFTER_SECONDS = 5;
export const OWN_VARIANT = 'migration';

export async function planOwnMigration(input: Pick<RunInput, 'own' | 'variants' | 'migration'>): Promise<RunPlan> {
  const own = input.own!;
  const schema = readSqlSources(own.schema);
  const migrations = readSqlSources(own.migrations);
  // `--schema prisma/migrations --migrations prisma/migrations/2025…_x` is a natural way to say
  // "everything applied so far, then this one": files being rehearsed are not part of the baseline.
  const rehearsed = new Set(migrations.files.map((f) => realpathSync(f.path)));
  const baseline = schema.files.filter((f) => !rehearsed.has(realpathSync(f.path)));
  if (baseline.length === 0) {
    throw new RehearseError('REH_CLI_BAD_VALUE', `the baseline ${own.schema} has no file left once the migrations being rehearsed are taken out`, {
      hint: 'Give --schema the schema production has today (a pg_dump --schema-only file, or the migrations already applied).',
    });
  }
  const unknown = input.variants.filter((v) => v !== OWN_VARIANT);
  if (unknown.length) throw new RehearseError('REH_CLI_UNKNOWN_VARIANT', `unknown variant ${unknown.map((v) => `"${v}"`).join(', ')} for your own migration (known: ${OWN_VARIANT})`);

  const names = new Set<string>();
  const stepOf = (f: SqlFile): SqlStep => {
    let name = f.name;
    for (let i = 2; names.has(name); i++) name = `${f.name}-${i}`;
    names.add(name);
    return {
      kind: 'sql', name, sql: f.sql, source: { file: displayPath(f.path), line: 1 },
      ...(f.transaction === false ? { transaction: false } : {}),
      ...(input.migration.lockTimeoutMs !== undefined ? { lockTimeoutMs: input.migration.lockTimeoutMs } : {}),
      ...(input.migration.retries !== undefined ? { retries: input.migration.retries } : {}),
    };
  };
  const steps: Step[] = [
    { kind: 'pause', name: 'baseline', seconds: OWN_BASELINE_SECONDS },
    ...migrations.files.map(stepOf),
    { kind: 'pause', name: 'after', seconds: OWN_AFTER_SECONDS },
  ];
  const scenario: ScenarioDefinition = {
    name: ownName(own.migrations),
    description: `${migrations.files.length} migration file${migrations.files.length === 1 ? '' : 's'} from ${displayPath(path.resolve(own.migrations))} (${migrations.layout}) on the baseline ${displayPath(path.resolve(own.schema))} (${baseline.length} file${baseline.length === 1 ? '' : 's'})`,
    app: workloadApp({ workload: own.workload }),
    dataset: schemaDataset({ schema: baseline, columns: own.columns as never }),
    variants: { [OWN_VARIANT]: { description: 'your migrations as written, one step per file', steps } },
  };
  const problems = await validateScenario(scenario);
  if (problems.length) {
    throw new RehearseError('REH_SCENARIO_INVALID', `your migrations cannot run as written:\n  - ${problems.map((p) => p.message).join('\n  - ')}`, { where: displayPath(path.resolve(own.migrations)) });
  }
  return { scenario, scenarioFile: null, variants: [OWN_VARIANT] };
}

/** "examples/saas-app/migrations" → "saas-app"; "db/2025_add_x.sql" → "2025_add_x". */
const ownName = (migrations: string): string => {
  const abs = path.resolve(migrations);
  const base = path.basename(abs).replace(/\.sql$/i, '');
  return /^(migrations?|db|sql|schema)$/i.test(base) ? path.basename(path.dirname(abs)) : base;
};
