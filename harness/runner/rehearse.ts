// The whole job: provision Postgres, seed once, build the app under test, probe capacity,
// rehearse each variant on a fresh copy of the seeded database under the same load, and write
// the report. Always cleans up. A run stopped early (Ctrl-C, SIGTERM, Postgres dying, a harness
// error) still writes a report of everything measured so far, once seeding finished, marked
// with its status and the phase it stopped in.
import { randomBytes } from 'node:crypto';
import { AppFleet } from '../app/fleet.ts';
import { tearingDown } from '../cleanup.ts';
import { DEFAULT_APP_SETTINGS, type AppUnderTest } from '../app/types.ts';
import { now } from '../clock.ts';
import type { DatasetSource, RowsSpec, SeedProgress } from '../dataset/types.ts';
import { RehearseError } from '../errors.ts';
import { probeCapacity } from '../load/capacity-probe.ts';
import { assembleReport, COMPLETED, type RunOutcome } from '../model/assemble-report.ts';
import { projectScales } from '../model/projection.ts';
import { DEFAULT_BUDGETS, resolveBudgets, type BudgetDeclarations, type BudgetSpec } from '../model/budgets.ts';
import type { AppSettings, Calibration, DatasetInfo, RunReport, VariantResult } from '../model/schema.ts';
import { calibrate } from '../calibrate/calibrate.ts';
import { cloneDatabase, dropDatabase } from '../postgres/databases.ts';
import type { PostgresHandle } from '../postgres/provider.ts';
import type { PostgresSpec } from '../postgres/providers.ts';
import type { SeedCache } from '../postgres/seed-cache.ts';
import { redactReport, writeReport, type ReportPaths } from '../report/write-report.ts';
import { redactSecrets } from '../redact.ts';
import type { ScenarioDefinition } from '../scenario.ts';
import type { OnProgress } from './progress.ts';
import { provisionServer, SEED_DB, seedServer, whileWritable, type ProvisionedServer, type SeedInfo } from './seeded-server.ts';
import { runVariant, type LoadPlan, type RunBackground } from './run-variant.ts';
import { migrationSqlOf } from './step-kinds.ts';
import type { WarmupSetting } from './warm-up.ts';

export interface RehearseOptions {
  scenario: ScenarioDefinition;
  /** The file the scenario came from; null for a scenario built from flags (own migrations). */
  scenarioFile: string | null;
  variants: string[];
  rows: RowsSpec;
  seed: number;
  /** warmup: default auto (until latency is steady). */
  load: { model: 'open' | 'closed'; rate?: number; connections: number; timeoutMs: number; capacityFraction: number; warmup?: WarmupSetting };
  instances: number;
  /** Balancer slow start for instances that join during deploys, ms; default 0 (off). */
  slowStartMs?: number;
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
  /** Aborted on Ctrl-C/SIGTERM; its reason (a RehearseError) says why. */
  signal: AbortSignal;
  /** Rehearse every variant at each of these sizes (in order), then fit and project (see model/projection.ts). */
  scales?: { label: string; rows: RowsSpec }[];
  /** Production rows per table, the target of the projection. */
  productionRows?: Record<string, number>;
  /** Sessions beside every variant (--background). */
  background?: readonly RunBackground[];
  /** For tests: reuse a running server instead of starting one (postgresSpecs are then ignored). */
  postgres?: PostgresHandle;
  /** The servers to rehearse on (parsePostgresSpecs); several make a version matrix, each variant on each. Default: one embedded PG. */
  postgresSpecs?: PostgresSpec[];
  /** Warm-start cache of seeded databases; absent or null: seed afresh, store nothing. */
  cache?: SeedCache | null;
  /** A fixed port for the Postgres the run starts (default: a free one). */
  pgPort?: number;
  toolVersion: string;
}

export interface RehearseResult {
  report: RunReport;
  /** Null only when the report could be written nowhere (see error). */
  paths: ReportPaths | null;
  /** Why the run stopped early (interrupt, Postgres died, harness error), or a report write failure. */
  error?: RehearseError;
}

/** The error a stopped run reports: the abort reason when the run was stopped, else the error itself. */
const stopReason = (err: unknown, signal: AbortSignal): RehearseError => {
  const e = signal.aborted ? signal.reason : err;
  return e instanceof RehearseError ? e : new RehearseError('REH_INTERNAL', String((e as Error)?.message ?? e), { cause: e });
};

/**
 * Runs the rehearsal. Resolves with the report whenever one was written (completed, interrupted
 * or failed after seeding, see `error`); rejects only when the run stopped before it measured
 * anything.
 */
export async function rehearse(caller: RehearseOptions): Promise<RehearseResult> {
  // Every line this run logs is redacted here, at the source, whoever called us.
  const o: RehearseOptions = { ...caller, log: (line) => caller.log(redactSecrets(line)) };
  const t0 = now();
  const startedAt = new Date().toISOString();
  // The run id names a directory: only the scenario name's safe characters go into it.
  const safeName = o.scenario.name.replace(/[^a-z0-9_-]+/gi, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'scenario';
  const runId = `${startedAt.replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z')}-${safeName}-${randomBytes(2).toString('hex')}`;
  const budgets = resolveBudgets([
    { from: 'default', budgets: { ...DEFAULT_BUDGETS } },
    { from: 'scenario', budgets: o.scenario.budgets },
    { from: 'run', budgets: o.budgets },
  ]);
  const appSettings: AppSettings = { ...DEFAULT_APP_SETTINGS, ...o.appSettings };
  // Stopped by the user's signal or by Postgres dying; every phase below listens to this one.
  const stop = new AbortController();
  let phase = 'provisioning';
  let stoppedDuring: string | null = null;
  const halt = (reason: unknown) => {
    if (stop.signal.aborted) return;
    stoppedDuring = phase;
    stop.abort(reason);
  };
  const onUserSignal = () => halt(o.signal.reason instanceof RehearseError ? o.signal.reason : new RehearseError('REH_INTERRUPTED', 'the run was interrupted'));
  if (o.signal.aborted) onUserSignal();
  o.signal.addEventListener('abort', onUserSignal);
  const checkpoint = () => {
    if (stop.signal.aborted) throw stop.signal.reason;
  };
  const setPhase = (p: string) => void (phase = p);

  const dataset = await datasetOf(o.scenario);
  // Bad app input (e.g. a workload file) fails here, before anything is provisioned.
  await o.scenario.app.prepare?.({ scenarioFile: o.scenarioFile });
  const scales = o.scales?.length ? o.scales : [{ label: null, rows: o.rows }];
  const variants: VariantResult[] = [];
  let seedInfo: SeedInfo | undefined;
  let pg: PostgresHandle | undefined;
  let calibration: Calibration | undefined;
  let app: AppUnderTest | null = null;
  // One server per spec (a version matrix when several), one after the other; or the caller's.
  const servers: (PostgresSpec | null)[] = o.postgres ? [null] : o.postgresSpecs?.length ? o.postgresSpecs : [{ provider: 'embedded' }];
  const matrix = servers.length > 1;
  const serverLabels = new Set<string>();
  // The cache holds one seeded database per server: not with several scales or a caller's server.
  const cache = o.cache && scales.length === 1 && !o.postgres ? o.cache : null;
  if (o.cache && !cache && scales.length > 1) o.log('warm-start cache: not used with --scales (one seeded database per cache entry)');
  let plan: LoadPlan | null = null;
  let reusedEverywhere = true;
  let seedDb: string | null = null;
  try {
    for (const spec of servers) {
      checkpoint();
      setPhase('provisioning');
      const seeding = { dataset, seed: o.seed, log: o.log, onSeedProgress: o.onSeedProgress, signal: stop.signal, cache, port: o.pgPort };
      let cached: ProvisionedServer['cached'] = null;
      if (spec) {
        const started = await provisionServer(spec, { ...seeding, rows: scales[0]!.rows });
        pg = started.pg;
        cached = started.cached;
      } else {
        o.log(`provisioning postgres (reusing ${o.postgres!.provider})…`);
        pg = o.postgres!;
      }
      const server = pg;
      void server.died?.then((err) => halt(err));
      o.log(`postgres ${server.version} (${server.provider}) on port ${server.port}`);
      for (const note of server.notes) o.log(`  postgres: ${note}`);
      const label = serverLabel(server, serverLabels);
      if (o.calibrate && !calibration) {
        setPhase('calibration');
        calibration = await calibrate({ pg: server, instances: o.instances, appSettings, sampleIntervalMs: o.sampleIntervalMs, seed: o.seed, log: o.log, signal: stop.signal });
        checkpoint();
      }
      for (const scale of scales) {
        checkpoint();
        const at = `${scale.label ? ` at scale ${scale.label}` : ''}${matrix ? ` on ${label}` : ''}`;
        setPhase(`seeding${at}`);
        const seeded = cached ?? (await seedServer(server, { ...seeding, rows: scale.rows, at }));
        seedDb = seeded.database;
        reusedEverywhere &&= seeded.info.reused;
        // Measured from here on: a run stopped after this point writes a report.
        seedInfo ??= { ...seeded.info };
        seedInfo.reused = reusedEverywhere;
        checkpoint();
        for (const note of seeded.info.notes) o.log(`  note: ${note}`);
        const datasetInfo: DatasetInfo = { description: dataset.description, seed: o.seed, tables: seeded.info.tables };
        // One app per server (its setup reads the seeded database); one load rate for every scale
        // and server, so they differ only in size or version.
        setPhase('building the app');
        if (!app) {
          const seededUrl = server.url(seeded.database);
          app = await whileWritable(server, seeded.database, seeded.readOnly, () => o.scenario.app.create({
            scenarioFile: o.scenarioFile, seededUrl, seed: o.seed, migrationSql: migrationSqlOf(o.scenario.variants), log: o.log,
          }));
          for (const note of app.notes ?? []) o.log(`  app: ${note}`);
          checkBudgetRoutes(budgets, Object.keys(app.mix));
        }
        checkpoint();
        plan ??= await planLoad(o, server, seeded.database, app, appSettings, stop.signal, setPhase);
        for (const variant of o.variants) {
          checkpoint();
          const base = matrix ? `${variant}@${label}` : variant;
          const name = scale.label ? `${base}@${scale.label}` : base;
          const result = await runVariant({
            pg: server, templateDb: seeded.database, scenario: o.scenario, variant, app, appSettings, load: plan,
            instances: o.instances, slowStartMs: o.slowStartMs ?? 0, sampleIntervalMs: o.sampleIntervalMs, budgets, dataset: datasetInfo, log: o.log, signal: stop.signal, progress: o.progress, background: o.background,
            setPhase: (p) => setPhase(`variant ${name}: ${p}`),
          });
          if (name !== variant) Object.assign(result, { variant: name });
          if (matrix) Object.assign(result, { server: { variant, label } });
          if (scale.label) Object.assign(result, { scale: { variant: base, label: scale.label } });
          variants.push(result);
          checkpoint();
        }
        cached = null; // a cached seed serves one scale only (the cache is off with several)
      }
      if (spec) {
        // The next server gets its own app (its setup reads that server's seed).
        await app?.dispose?.().catch(() => {});
        app = null;
        pg = undefined;
        await server.stop();
      }
    }
  } catch (err) {
    const error = stopReason(err, stop.signal);
    stoppedDuring ??= phase;
    if (!seedInfo) throw error; // nothing measured yet: no report to write
    return await finish(error);
  } finally {
    o.signal.removeEventListener('abort', onUserSignal);
    await app?.dispose?.().catch(() => {});
    if (pg && !o.postgres) await pg.stop();
    else if (pg && seedDb === SEED_DB) await dropDatabase(pg, SEED_DB).catch(() => {});
  }
  return await finish();

  async function finish(error?: RehearseError): Promise<RehearseResult> {
    const outcome: RunOutcome = error
      ? { status: error.code === 'REH_INTERRUPTED' ? 'interrupted' : 'error', stoppedDuring, error: { code: error.code, message: error.message } }
      : COMPLETED;
    // Redacted once, here: the report returned, printed and written carries no credentials.
    const projection = scales.length > 1 ? projectScales(variants.filter((v) => v.scale).map((v) => ({ base: v.scale!.variant, scale: v.scale!.label, result: v })), o.productionRows ?? {}) : undefined;
    const report = redactReport(assembleReport({ runId, startedAt, durationMs: Math.round(now() - t0), scenario: o.scenario.name, variants, toolVersion: o.toolVersion, seed: seedInfo!, projection, calibration, outcome }));
    if (tearingDown()) {
      o.log('skipping the report: the run is being torn down (second interrupt)');
      return { report, paths: null, error: error ?? new RehearseError('REH_INTERRUPTED', 'the run was torn down') };
    }
    setPhase('writing the report');
    o.log('writing the report…');
    try {
      return { report, paths: await writeReport(report, o.outDir, o.log), error };
    } catch (writeError) {
      return { report, paths: null, error: error ?? (writeError as RehearseError) };
    }
  }
}

/** How a server is named in a version matrix: "pg16", or "pg16-2" for a second server of that major. */
function serverLabel(pg: PostgresHandle, taken: Set<string>): string {
  let label = `pg${pg.major}`;
  for (let n = 2; taken.has(label); n++) label = `pg${pg.major}-${n}`;
  taken.add(label);
  return label;
}

export async function datasetOf(s: ScenarioDefinition): Promise<DatasetSource> {
  if (s.dataset) return s.dataset;
  if (s.app.defaultDataset) return s.app.defaultDataset();
  throw new RehearseError('REH_SCENARIO_INVALID', `scenario ${s.name} names no dataset and its app (${s.app.name}) has no default dataset`);
}

/** The open-model rate defaults to a fraction of what the app can serve, measured on a scratch copy. */
async function planLoad(o: RehearseOptions, pg: PostgresHandle, seedDb: string, app: AppUnderTest, settings: AppSettings, signal: AbortSignal, setPhase: (p: string) => void): Promise<LoadPlan> {
  const plan: LoadPlan = { model: o.load.model, rate: o.load.rate ?? 0, connections: o.load.connections, timeoutMs: o.load.timeoutMs, seed: o.seed, capacityRps: null, mix: app.mix, warmup: o.load.warmup ?? { mode: 'auto' } };
  if (o.load.model === 'closed' || o.load.rate) return plan;
  const db = 'rehearse_probe';
  setPhase('capacity probe: cloning the seeded database');
  o.log('capacity probe: cloning the seeded database…');
  await cloneDatabase(pg, seedDb, db);
  const fleet = new AppFleet({ app, databaseUrl: pg.url(db), instances: o.instances, settings, onLog: o.log });
  try {
    if (signal.aborted) throw signal.reason;
    setPhase('capacity probe: starting the app');
    o.log(`capacity probe: starting ${o.instances} app instance${o.instances === 1 ? '' : 's'}…`);
    await fleet.start(o.scenario.app.initialVersion);
    if (signal.aborted) throw signal.reason;
    setPhase('capacity probe');
    o.log('capacity probe: saturating the app for 3 s…');
    const factory = await app.requestFactory(pg.url(db), `probe-${Date.now().toString(36)}`);
    const probe = await probeCapacity({ balancer: fleet, factory, signal });
    plan.capacityRps = Math.round(probe.rps);
    plan.rate = Math.max(20, Math.round(probe.rps * o.load.capacityFraction));
    o.log(`capacity probe: ${plan.capacityRps} req/s (p99 ${Math.round(probe.p99Ms)} ms) → open-model rate ${plan.rate} req/s (${Math.round(o.load.capacityFraction * 100)} %)`);
  } finally {
    await fleet.stop();
    if (!signal.aborted) await dropDatabase(pg, db).catch(() => {});
  }
  return plan;
}

/** A budget on a route the app never requests could never be measured: say so before running. */
function checkBudgetRoutes(budgets: readonly BudgetSpec[], routes: string[]): void {
  const unknown = budgets.filter((b) => b.scope.route !== undefined && !routes.includes(b.scope.route));
  if (unknown.length) {
    throw new RehearseError('REH_BUDGET_INVALID', `budget ${unknown.map((b) => `"${b.name}"`).join(', ')} names a route the app does not request (routes: ${routes.join(', ')})`);
  }
}
