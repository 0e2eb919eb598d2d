// The whole job: provision Postgres, seed once, build the app under test, probe capacity,
// rehearse each variant on a fresh copy of the seeded database under the same load, and write
// the report. Always cleans up.
import { randomBytes } from 'node:crypto';
import { AppFleet } from '../app/fleet.ts';
import { DEFAULT_APP_SETTINGS, type AppUnderTest } from '../app/types.ts';
import { now } from '../clock.ts';
import type { DatasetSource, RowsSpec, SeedProgress } from '../dataset/types.ts';
import { probeCapacity } from '../load/capacity-probe.ts';
import { assembleReport } from '../model/assemble-report.ts';
import { projectScales } from '../model/projection.ts';
import { DEFAULT_BUDGETS, resolveBudgets, type BudgetDeclarations, type BudgetSpec } from '../model/budgets.ts';
import type { AppSettings, Calibration, DatasetInfo, RunReport, VariantResult } from '../model/schema.ts';
import { calibrate } from '../calibrate/calibrate.ts';
import { RehearseError } from '../errors.ts';
import { startEmbeddedPostgres } from '../postgres/embedded.ts';
import { cloneDatabase, createDatabase, dropDatabase } from '../postgres/databases.ts';
import type { PostgresHandle } from '../postgres/provider.ts';
import { writeReport } from '../report/write-report.ts';
import type { ScenarioDefinition } from '../scenario.ts';
import type { OnProgress } from './progress.ts';
import { runVariant, type LoadPlan, type RunBackground } from './run-variant.ts';
import { migrationSqlOf } from './step-kinds.ts';

export interface RehearseOptions {
  scenario: ScenarioDefinition;
  /** The file the scenario came from; null for a scenario built from flags (own migrations). */
  scenarioFile: string | null;
  variants: string[];
  rows: RowsSpec;
  seed: number;
  load: { model: 'open' | 'closed'; rate?: number; connections: number; timeoutMs: number; capacityFraction: number };
  instances: number;
  appSettings?: Partial<AppSettings>;
  sampleIntervalMs: number;
  /** Budgets given for this run (config and flags); they win over the scenario's and the defaults. */
  budgets?: BudgetDeclarations;
  outDir: string;
  log: (line: string) => void;
  onSeedProgress?: (p: SeedProgress) => void;
  /** Live progress for a human watching (steps, backfill, traffic). */
  progress?: OnProgress;
  /** First measure a known 1 s ACCESS EXCLUSIVE hold, to report the detectors' error on this machine. */
  calibrate?: boolean;
  signal: AbortSignal;
  /** Rehearse every variant at each of these sizes (in order), then fit and project (see model/projection.ts). */
  scales?: { label: string; rows: RowsSpec }[];
  /** Production rows per table, the target of the projection. */
  productionRows?: Record<string, number>;
  /** Sessions beside every variant (--background). */
  background?: readonly RunBackground[];
  /** For tests: reuse a running server instead of starting one. */
  postgres?: PostgresHandle;
  toolVersion: string;
}

const SEED_DB = 'rehearse_seed';

export async function rehearse(o: RehearseOptions): Promise<{ report: RunReport; paths: { dir: string; json: string; html: string } }> {
  const t0 = now();
  const startedAt = new Date().toISOString();
  const runId = `${startedAt.replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z')}-${o.scenario.name}-${randomBytes(2).toString('hex')}`;
  const budgets = resolveBudgets([
    { from: 'default', budgets: { ...DEFAULT_BUDGETS } },
    { from: 'scenario', budgets: o.scenario.budgets },
    { from: 'run', budgets: o.budgets },
  ]);
  const appSettings: AppSettings = { ...DEFAULT_APP_SETTINGS, ...o.appSettings };
  // Bad app input (e.g. a workload file) fails here, before anything is provisioned.
  await o.scenario.app.prepare?.({ scenarioFile: o.scenarioFile });
  const dataset = await datasetOf(o.scenario);
  const scales = o.scales?.length ? o.scales : [{ label: null, rows: o.rows }];
  const pg = o.postgres ?? (await startEmbeddedPostgres());
  const variants: VariantResult[] = [];
  let seedInfo: RunReport['seed'] = null;
  let calibration: Calibration | undefined;
  const report = () => {
    const projection = scales.length > 1 ? projectScales(variants.filter((v) => v.scale).map((v) => ({ base: v.scale!.variant, scale: v.scale!.label, result: v })), o.productionRows ?? {}) : undefined;
    return assembleReport({ runId, startedAt, durationMs: Math.round(now() - t0), scenario: o.scenario.name, variants, toolVersion: o.toolVersion, seed: seedInfo, projection, calibration });
  };
  let app: AppUnderTest | null = null;
  try {
    o.log(`postgres ${pg.version} (${pg.provider}) on port ${pg.port}`);
    if (o.calibrate) calibration = await calibrate({ pg, instances: o.instances, appSettings, sampleIntervalMs: o.sampleIntervalMs, seed: o.seed, log: o.log, signal: o.signal });
    let plan: LoadPlan | null = null;
    for (const scale of scales) {
      if (o.signal.aborted) break;
      await createDatabase(pg, SEED_DB);
      o.log(`seeding ${dataset.description}${scale.label ? ` at scale ${scale.label}` : ''} (seed ${o.seed})…`);
      const seeded = await dataset.seed(pg.url(SEED_DB), { seed: o.seed, rows: scale.rows, onProgress: o.onSeedProgress, signal: o.signal, log: o.log });
      for (const note of seeded.notes) o.log(`  note: ${note}`);
      const datasetInfo: DatasetInfo = { description: dataset.description, seed: o.seed, tables: seeded.tables };
      seedInfo ??= { tables: seeded.tables, seconds: seeded.seconds, rowsPerSec: Math.round(seeded.rowsPerSec), reused: false, notes: seeded.notes };
      // One app and one load rate for every scale, so the scales differ only in size.
      if (!app) {
        app = await o.scenario.app.create({
          scenarioFile: o.scenarioFile, seededUrl: pg.url(SEED_DB), seed: o.seed, migrationSql: migrationSqlOf(o.scenario.variants), log: o.log,
        });
        for (const note of app.notes ?? []) o.log(`  app: ${note}`);
        checkBudgetRoutes(budgets, Object.keys(app.mix));
      }
      plan ??= await planLoad(o, pg, app, appSettings);
      for (const variant of o.variants) {
        if (o.signal.aborted) break;
        try {
          const result = await runVariant({
            pg, templateDb: SEED_DB, scenario: o.scenario, variant, app, appSettings, load: plan,
            instances: o.instances, sampleIntervalMs: o.sampleIntervalMs, budgets, dataset: datasetInfo, log: o.log, signal: o.signal, progress: o.progress, background: o.background,
          });
          if (scale.label) Object.assign(result, { variant: `${variant}@${scale.label}`, scale: { variant, label: scale.label } });
          variants.push(result);
        } catch (err) {
          // The harness itself failed (not a step): keep what the earlier variants measured.
          if (variants.length > 0) {
            const partial = await writeReport(report(), o.outDir);
            o.log(`partial report with ${variants.length} variant(s): ${partial.html}`);
          }
          throw err;
        }
      }
    }
    const final = report();
    const paths = await writeReport(final, o.outDir);
    return { report: final, paths };
  } finally {
    await app?.dispose?.().catch(() => {});
    if (!o.postgres) await pg.stop();
    else await dropDatabase(pg, SEED_DB).catch(() => {});
  }
}

/** A budget on a route the app never requests could never be measured: say so before running. */
function checkBudgetRoutes(budgets: readonly BudgetSpec[], routes: string[]): void {
  const unknown = budgets.filter((b) => b.scope.route !== undefined && !routes.includes(b.scope.route));
  if (unknown.length) {
    throw new RehearseError('REH_BUDGET_INVALID', `budget ${unknown.map((b) => `"${b.name}"`).join(', ')} names a route the app does not request (routes: ${routes.join(', ')})`);
  }
}

async function datasetOf(s: ScenarioDefinition): Promise<DatasetSource> {
  if (s.dataset) return s.dataset;
  if (s.app.defaultDataset) return s.app.defaultDataset();
  throw new Error(`scenario ${s.name} names no dataset and its app (${s.app.name}) has no default dataset`);
}

/** The open-model rate defaults to a fraction of what the app can serve, measured on a scratch copy. */
async function planLoad(o: RehearseOptions, pg: PostgresHandle, app: AppUnderTest, settings: AppSettings): Promise<LoadPlan> {
  const plan: LoadPlan = { model: o.load.model, rate: o.load.rate ?? 0, connections: o.load.connections, timeoutMs: o.load.timeoutMs, seed: o.seed, capacityRps: null, mix: app.mix };
  if (o.load.model === 'closed' || o.load.rate) return plan;
  const db = 'rehearse_probe';
  await cloneDatabase(pg, SEED_DB, db);
  const fleet = new AppFleet({ app, databaseUrl: pg.url(db), instances: o.instances, settings, onLog: o.log });
  try {
    await fleet.start(o.scenario.app.initialVersion);
    const factory = await app.requestFactory(pg.url(db), `probe-${Date.now().toString(36)}`);
    const probe = await probeCapacity({ balancer: fleet, factory });
    plan.capacityRps = Math.round(probe.rps);
    plan.rate = Math.max(20, Math.round(probe.rps * o.load.capacityFraction));
    o.log(`capacity probe: ${plan.capacityRps} req/s (p99 ${Math.round(probe.p99Ms)} ms) → open-model rate ${plan.rate} req/s (${Math.round(o.load.capacityFraction * 100)} %)`);
  } finally {
    await fleet.stop();
    await dropDatabase(pg, db).catch(() => {});
  }
  return plan;
}
