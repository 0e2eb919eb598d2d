// What an app under test is to the harness. The sample app (sample-app/) is one implementation,
// the workload app that serves a user's own queries is another. The harness starts instances
// as processes, balances load over them and deploys versions; it never knows their tables.
import type { DatasetSource } from '../dataset/types.ts';
import type { RequestFactory } from '../load/types.ts';
import type { AppRoute, AppSettings } from '../model/schema.ts';

export type { AppRoute, AppSettings };

export const DEFAULT_APP_SETTINGS: AppSettings = { poolSize: 10, statementTimeoutMs: null, lockTimeoutMs: null };

/** What an app implementation gets when a run builds it (once, after seeding). */
export interface AppContext {
  /** The scenario file, when the run came from one: instance processes may import it. */
  scenarioFile: string | null;
  /** A database seeded exactly like every variant's copy. Read it (sample keys, derive a workload); never write. */
  seededUrl: string;
  /** The run seed: apps that draw values (pools, samples) draw them from it. */
  seed: number;
  /** The SQL the run's steps will execute (every variant), for apps that derive their load from it. */
  migrationSql: readonly string[];
  log: (line: string) => void;
}

/** The app as a scenario declares it. */
export interface AppSpec {
  /** Shown in reports, e.g. "sample-app" or "workload (workload.ts)". */
  readonly name: string;
  readonly initialVersion: string;
  /** Version name → what that version runs. Opaque to the harness; interpreted by the app. */
  readonly versions: Readonly<Record<string, unknown>>;
  /** The dataset this app was written against, used when the scenario names none. */
  defaultDataset?(): Promise<DatasetSource>;
  /**
   * Loads and checks what the app needs before anything is provisioned (e.g. a workload file),
   * throwing a RehearseError on bad input; `versions` is complete after it. Idempotent.
   * `scenarioFile` lets errors in an inline definition point at its line.
   */
  prepare?(ctx: { scenarioFile: string | null }): Promise<void>;
  create(ctx: AppContext): Promise<AppUnderTest>;
}

/** The app, built for one run. */
export interface AppUnderTest {
  /** Route → weight of the request mix. */
  readonly mix: Readonly<Record<string, number>>;
  /**
   * The process of one instance: a module run with tsx, and its arguments. The harness adds
   * the instance config (database, version, settings) in the environment; see instance.ts.
   */
  instanceCommand(version: string): { entry: string; args: string[] };
  /** Requests to send to a database seeded like `databaseUrl` (real keys sampled from it). */
  requestFactory(databaseUrl: string, tag: string): Promise<RequestFactory>;
  /** What each route runs, for the report (apps that serve SQL they were given or derived). */
  readonly routes?: readonly AppRoute[];
  /** What the reader should know about the app, e.g. why a table got no derived inserts. */
  readonly notes?: readonly string[];
  /** Frees what create() made (temp files); called once when the run ends. */
  dispose?(): Promise<void>;
}
