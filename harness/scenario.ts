// The public scenario API. `defineScenario` is an identity function: it costs nothing at run
// time and gives scenario authors full type inference (like vitest's defineConfig).
import type { AppSpec } from './app/types.ts';
import type { DatasetSource } from './dataset/types.ts';
import type { Budgets } from './model/schema.ts';

interface StepBase {
  /** Unique within the variant; shown in reports and used for attribution. */
  name: string;
}

export interface SqlStep extends StepBase {
  kind: 'sql';
  /**
   * SQL, split into statements by PostgreSQL's parser; each statement is traced on its own.
   * They run in order in one transaction, unless one of them cannot run in a transaction block
   * (e.g. CREATE INDEX CONCURRENTLY), or transaction: false.
   */
  sql: string | string[];
  /** SET LOCAL lock_timeout for the attempt; on SQLSTATE 55P03 the attempt is retried. */
  lockTimeoutMs?: number;
  /** Retries after a lock timeout (default 10 when lockTimeoutMs is set, else 0). */
  retries?: number;
  /** First backoff between attempts; doubles each retry, capped at 5 s, with jitter (default 250). */
  backoffMs?: number;
  /** Force (true) or forbid (false) the wrapping transaction; detected from the statements by default. */
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
  /** Integer key used for keyset pagination (default "id"). */
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
  /** Must return zero rows, or a single count/number column equal to 0. */
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
  /** Budgets that decide each variant's verdict; defaults in report/budgets.ts. */
  budgets?: Partial<Budgets>;
}

export const defineScenario = <const T extends ScenarioDefinition>(scenario: T): T => scenario;
