// For benchmarks: the sample app of the default scenario on a database seeded with `users` users.
import type { AppUnderTest } from '../harness/app/types.ts';
import { loadScenario, resolveScenarioFile } from '../harness/plan/load-scenario.ts';
import { createDatabase } from '../harness/postgres/databases.ts';
import type { PostgresHandle } from '../harness/postgres/provider.ts';

export async function seededSampleApp(pg: PostgresHandle, db: string, users: number): Promise<AppUnderTest> {
  const scenarioFile = resolveScenarioFile('change-column-type');
  const scenario = await loadScenario(scenarioFile);
  const dataset = await scenario.app.defaultDataset!();
  await createDatabase(pg, db);
  await dataset.seed(pg.url(db), { seed: 1, rows: { default: users, tables: {} }, log: () => {}, signal: new AbortController().signal });
  return scenario.app.create({ scenarioFile, seededUrl: pg.url(db), seed: 1, migrationSql: [], log: () => {} });
}
