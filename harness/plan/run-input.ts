// One resolved description of a run, from flags and rehearse.config.ts: a flag given on the
// command line wins, then the config, then the default. The CLI and tests both go through it.
import type { RowsSpec } from '../dataset/types.ts';
import type { AppSettings } from '../model/schema.ts';
import { mergeDeclarations, type BudgetDeclarations } from '../model/budgets.ts';
import type { CliOptions } from '../cli/args.ts';
import type { WarmupSetting } from '../runner/warm-up.ts';
import type { RunBackground } from '../runner/run-variant.ts';
import { uniqueNames } from './background-option.ts';
import { durationMs, type LoadedConfig } from './config.ts';
import { RehearseError } from '../errors.ts';
import { parsePostgresSpecs, type PostgresSpec } from '../postgres/providers.ts';
import type { PostgresFlags } from '../postgres/postgres-flags.ts';

export interface RunInput {
  /** A scenario name or file, when rehearsing a scenario. */
  scenario: string | null;
  /** Your own migration, when rehearsing one. */
  own: { schema: string; migrations: string; workload?: string; columns?: Record<string, unknown> } | null;
  variants: string[];
  rows: RowsSpec;
  seed: number;
  scales: { label: string; rows: RowsSpec }[];
  productionRows: Record<string, number>;
  load: { model: 'open' | 'closed'; rate?: number; connections: number; timeoutMs: number; warmup: WarmupSetting };
  sampleIntervalMs: number;
  instances: number;
  /** Balancer slow start, ms; 0 = off. */
  slowStartMs: number;
  appSettings: AppSettings;
  /** Applied to every sql step that sets none of its own. */
  migration: { lockTimeoutMs?: number; retries?: number };
  /** Budgets of the config and the flags (flags win); the scenario's and the defaults lie under them. */
  budgets: BudgetDeclarations;
  failOnBreach: boolean;
  out: string;
  configFile: string | null;
  /** Sessions beside every variant (--background, config `background`; the flags replace the config's). */
  background: RunBackground[];
  harden: boolean;
  rehearseRollback: boolean;
  /** One server per entry; several make a version matrix (each variant on each). */
  postgres: PostgresSpec[];
  /** Warm-start cache: off with --no-cache or REHEARSE_CACHE=off. */
  cache: boolean;
}

const SIZE = /^(\d+(?:\.\d+)?)([kmb])?$/i;
const sizeOf = (v: number | string): number => {
  if (typeof v === 'number') return v;
  const m = SIZE.exec(v.trim().replace(/[_,]/g, ''));
  return m ? Math.round(Number(m[1]) * (m[2] ? { k: 1e3, m: 1e6, b: 1e9 }[m[2].toLowerCase() as 'k' | 'm' | 'b'] : 1)) : NaN;
};

const warmupOf = (v: 'auto' | 'off' | number | string | undefined): WarmupSetting | undefined => {
  if (v === undefined) return undefined;
  if (v === 'auto' || v === 'off') return { mode: v };
  return { mode: 'fixed', ms: durationMs(v) };
};

/** The --postgres family from the flags, each field falling back to the config's `postgres` block. */
function postgresFlagsOf(cli: CliOptions, c: NonNullable<LoadedConfig['config']['postgres']> | undefined): PostgresFlags {
  const f = cli.postgres ?? {};
  const given = (flag: string) => cli.explicit.has(flag);
  const pick = <T>(flag: string, fromCli: T, fromConfig: T | undefined): T => (given(flag) || fromConfig === undefined ? fromCli : fromConfig);
  const settings = c?.settings && Object.entries(c.settings).map(([k, v]) => `${k}=${v}`);
  return {
    postgres: pick('postgres', f.postgres, c?.provider),
    pg: pick('pg', f.pg, c?.versions === undefined ? undefined : String(c.versions)),
    pgImage: pick('pg-image', f.pgImage, c?.images),
    pgCpus: pick('pg-cpus', f.pgCpus, c?.cpus === undefined ? undefined : String(c.cpus)),
    pgMemory: pick('pg-memory', f.pgMemory, c?.memory),
    pgSetting: pick('pg-setting', f.pgSetting, settings),
    pgUrl: pick('pg-url', f.pgUrl, c?.url),
    disposable: pick('disposable', f.disposable, c?.disposable),
    allowForeignSessions: pick('allow-foreign-sessions', f.allowForeignSessions, c?.allowForeignSessions),
  };
}

/** The servers to rehearse on; every problem with the --postgres flags at once, before anything runs. */
export function resolvePostgres(cli: CliOptions, loaded: LoadedConfig | null, env: NodeJS.ProcessEnv = process.env): PostgresSpec[] {
  const parsed = parsePostgresSpecs(postgresFlagsOf(cli, loaded?.config.postgres), env);
  if (parsed.ok) return parsed.specs;
  throw RehearseError.all(parsed.errors)!;
}

export function resolveRunInput(cli: CliOptions, loaded: LoadedConfig | null): RunInput {
  const c = loaded?.config ?? {};
  const given = (flag: string) => cli.explicit.has(flag);
  const pick = <T>(flag: string, fromCli: T, fromConfig: T | undefined): T => (given(flag) || fromConfig === undefined ? fromCli : fromConfig);
  const schema = pick('schema', cli.schema, c.schema);
  const migrations = pick('migrations', cli.migrations, c.migrations);
  const scenarioGiven = given('scenario') || c.scenario !== undefined;
  const configRows: RowsSpec | undefined = c.rows === undefined ? undefined : typeof c.rows === 'number' ? { default: c.rows, tables: {} } : { tables: c.rows };
  const rows = pick('rows', cli.rows, configRows);
  const configScales = c.scales?.map((s) => ({ label: String(s), rows: { default: sizeOf(s), tables: rows.tables } }));
  const ms = (v: number | string | null | undefined): number | null | undefined => (v === undefined ? undefined : v === null ? null : durationMs(v));
  return {
    scenario: schema !== undefined && !scenarioGiven ? null : pick('scenario', cli.scenario, c.scenario),
    own: schema !== undefined && migrations !== undefined && !(given('scenario')) ? { schema, migrations, workload: pick('workload', cli.workload, c.workload), columns: c.columns } : null,
    variants: pick('variant', cli.variants, c.variants),
    rows,
    seed: pick('seed', cli.seed, c.seed),
    scales: pick('scales', cli.scales, configScales),
    productionRows: pick('production-rows', cli.productionRows, c.productionRows),
    load: {
      model: pick('load', cli.load, c.load?.model),
      rate: pick('rate', cli.rate, c.load?.rate),
      connections: pick('connections', cli.connections, c.load?.connections),
      timeoutMs: pick('timeout-ms', cli.timeoutMs, c.load?.timeoutMs),
      warmup: pick('warmup', cli.warmup, warmupOf(c.load?.warmup)),
    },
    sampleIntervalMs: pick('sample-interval-ms', cli.sampleIntervalMs, c.load?.sampleIntervalMs),
    instances: pick('instances', cli.instances, c.app?.instances),
    slowStartMs: pick('slow-start', cli.slowStartMs, c.app?.slowStart === undefined ? undefined : c.app.slowStart === 'off' ? 0 : durationMs(c.app.slowStart)),
    appSettings: {
      poolSize: pick('pool-size', cli.poolSize, c.app?.poolSize),
      statementTimeoutMs: pick('app-statement-timeout-ms', cli.appStatementTimeoutMs, ms(c.app?.statementTimeout)),
      lockTimeoutMs: pick('app-lock-timeout-ms', cli.appLockTimeoutMs, ms(c.app?.lockTimeout)),
    },
    migration: {
      lockTimeoutMs: pick('lock-timeout', cli.lockTimeoutMs, c.migration?.lockTimeout === undefined ? undefined : durationMs(c.migration.lockTimeout)),
      retries: pick('retries', cli.retries, c.migration?.retries),
    },
    budgets: mergeDeclarations(c.budgets, {
      ...(given('max-stall-ms') && cli.maxStallMs !== undefined ? { maxStallMs: cli.maxStallMs } : {}),
      ...(given('max-error-rate') && cli.maxErrorRate !== undefined ? { maxErrorRate: cli.maxErrorRate } : {}),
      ...(cli.budgets ?? {}),
    }),
    failOnBreach: pick('fail-on-breach', cli.failOnBreach, c.failOnBreach),
    out: pick('out', cli.out, c.out),
    configFile: loaded?.file ?? null,
    background: pick('background', cli.background, c.background && uniqueNames(c.background.map((b) => ({
      name: b.name ?? `${b.session}-${b.table}`, session: b.session, table: b.table, seconds: durationMs(b.hold) / 1000,
      startAfterSeconds: b.startAfter === undefined ? 0 : durationMs(b.startAfter) / 1000,
      ...(b.sql ? { sql: b.sql } : {}), ...(b.intervalMs !== undefined ? { intervalMs: b.intervalMs } : {}), ...(b.rows ? { rows: b.rows } : {}),
    })))),
    harden: pick('harden', cli.harden, c.harden),
    rehearseRollback: pick('rehearse-rollback', cli.rehearseRollback, c.rehearseRollback),
    postgres: resolvePostgres(cli, loaded),
    cache: !cli.noCache && process.env.REHEARSE_CACHE !== 'off',
  };
}
