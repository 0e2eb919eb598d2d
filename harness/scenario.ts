// The public scenario API. `defineScenario` is an identity function: it costs nothing at run
// time and gives scenario authors full type inference (like vitest's defineConfig).
import type { AppSpec } from './app/types.ts';
import type { DatasetSource } from './dataset/types.ts';
import type { BudgetDeclarations } from './model/budgets.ts';

interface StepBase {
  /** Unique within the variant; shown in reports and used for attribution. */
  name: string;
}

export interface SqlStep extends StepBase {
  kind: 'sql';
  /**
   * SQL, split into statements by PostgreSQL's parser; each statement is traced on its own.
   * Give `sql` or `file`, not both.
   */
  sql?: string | string[];
  /**
   * A .sql file (relative to the scenario file) to run as written: each statement is reported
   * with its file:line. dbmate files run their `-- migrate:up` section only.
   */
  file?: string;
  /** Where `sql` is written (set by the planner for files): statements report file and line from it. */
  source?: { file: string; line: number };
  /** SET lock_timeout for each transaction; on SQLSTATE 55P03 the transaction is retried. */
  lockTimeoutMs?: number;
  /** Retries after a lock timeout (default 10 when lockTimeoutMs is set, else 0). */
  retries?: number;
  /** First backoff between attempts; doubles each retry, capped at 5 s, with jitter (default 250). */
  backoffMs?: number;
  /**
   * How statements are grouped into transactions (see runner/sql-plan.ts). Default: one
   * transaction, as migration tools run a file, with BEGIN/COMMIT in the SQL honoured and
   * statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY…) run alone.
   * false: every statement outside an explicit BEGIN … COMMIT in autocommit.
   * true: one transaction, and a statement that cannot run in one is an error.
   */
  transaction?: boolean;
}

export interface DeployStep extends StepBase {
  kind: 'deploy';
  /** An app version defined in `app.versions`. Instances are replaced one at a time. */
  version: string;
}

export interface BackfillStep extends StepBase {
  kind: 'backfill';
  table: string;
  /** Unique, ordered key used for keyset pagination (default "id"); carried as text, so bigint and text keys are exact. */
  key?: string;
  /** The SET clause, e.g. "balance_new = balance". */
  set: string;
  /** Extra filter, e.g. "balance_new IS DISTINCT FROM balance"; keeps reruns idempotent. */
  where?: string;
  batchSize?: number; // default 5000
  delayMs?: number; // pause between batches, default 20
}

export interface VerifyStep extends StepBase {
  kind: 'verify';
  /**
   * Must return zero rows, or an explicit count of 0: one row with one integer column named `count`
   * or `discrepancies` (e.g. `SELECT count(*) FROM …`). Any other returned row is one offending row.
   */
  sql: string;
}

export interface PauseStep extends StepBase {
  kind: 'pause';
  seconds: number;
}

export type Step = SqlStep | DeployStep | BackfillStep | VerifyStep | PauseStep;

export interface Variant {
  description: string;
  steps: Step[];
}

export interface ScenarioDefinition {
  name: string;
  description: string;
  /**
   * The app under test and its versions, e.g. `sampleApp({ initialVersion, versions })` from
   * sample-app/. `initialVersion` runs before the first step; deploy steps name the others.
   */
  app: AppSpec;
  /** What to seed before the variants; defaults to the app's own dataset. */
  dataset?: DatasetSource;
  variants: Record<string, Variant>;
  /**
   * Budgets that decide each variant's verdict, like k6 thresholds: `metric` or
   * `metric{step:…|route:…|sqlstate:…|variant:…}` → the most allowed, or `{ limit, abortOnFail }`
   * to stop the migration as soon as it breaches. Metrics in model/metrics.ts; defaults
   * (maxStallMs 1000, maxErrorRate 0.001) in model/budgets.ts.
   */
  budgets?: BudgetDeclarations;
}

export const defineScenario = <const T extends ScenarioDefinition>(scenario: T): T => scenario;
