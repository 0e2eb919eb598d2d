// The public scenario API. `defineScenario` is an identity function: it costs nothing at run
// time and gives scenario authors full type inference (like vitest's defineConfig).
import type { AppSpec } from './app/types.ts';
import type { DatasetSource } from './dataset/types.ts';
import type { BudgetDeclarations } from './model/budgets.ts';
import type { RollbackFacts } from './model/rollback.ts';
import type { Hardening } from './model/schema.ts';

interface StepBase {
  /** Unique within the variant; shown in reports and used for attribution. */
  name: string;
  /** Set by the rollback planner (--rehearse-rollback): which half of the rehearsal the step belongs to. */
  phase?: 'forward' | 'rollback';
}

/**
 * How to undo a step (--rehearse-rollback): SQL run as a `sql` step under load. A string or list
 * inherits the step's lockTimeoutMs, retries and backoffMs; `[]` says there is nothing to undo.
 */
export type Rollback = string | string[] | { sql: string | string[]; lockTimeoutMs?: number; retries?: number; backoffMs?: number; transaction?: boolean };

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
  /**
   * The step is expected to fail with this SQLSTATE (a rehearsal of a failure, e.g. 23502 when
   * SET NOT NULL meets rows the old code still writes): the failure is recorded, the step counts
   * as done, and the variant goes on. If it succeeds instead, the step fails and says so.
   */
  expectError?: string;
  /** How to undo it, for --rehearse-rollback. A sql step without one ends the reversible part of a variant. */
  rollback?: Rollback;
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
  /** The SET clause, e.g. "balance_new = balance" (or give `into` to copy rows elsewhere). */
  set?: string;
  /** Extra filter, e.g. "balance_new IS DISTINCT FROM balance"; keeps reruns idempotent. */
  where?: string;
  batchSize?: number; // default 5000
  delayMs?: number; // pause between batches, default 20
  /**
   * A failed batch (statement_timeout, a terminated session, a deadlock, a lock timeout…) is
   * retried from the last committed key, with backoff, up to this many times in all (default 5).
   */
  retries?: number;
  /** First backoff between retries; doubles each retry, capped at 5 s, with jitter (default 250). */
  backoffMs?: number;
  /**
   * Copy instead of update: each batch's rows (of `table`, after `where`) are inserted into another
   * table, e.g. a shadow or a split-off table. `select` lists the values (default `*`), `columns`
   * the target columns; rows that already exist there (written by dual-write code or a trigger) are
   * skipped with ON CONFLICT DO NOTHING. Give `set` or `into`, not both.
   */
  into?: { table: string; columns?: string[]; select?: string };
  /** How to undo it for --rehearse-rollback; none needed when its column goes with an earlier step's rollback. */
  rollback?: Rollback;
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

/** PostgreSQL table lock modes, as LOCK TABLE spells them. */
export type LockMode = 'ACCESS SHARE' | 'ROW SHARE' | 'ROW EXCLUSIVE' | 'SHARE UPDATE EXCLUSIVE' | 'SHARE' | 'SHARE ROW EXCLUSIVE' | 'EXCLUSIVE' | 'ACCESS EXCLUSIVE';

interface FaultBase extends StepBase {
  kind: 'fault';
  /**
   * A fault step arms its fault; it fires this long after the *next* step starts (default 0),
   * while that step runs (or after the fault step, if it is the last). Consecutive fault steps
   * all arm for the same next step.
   */
  afterMs?: number;
}

/** SIGKILL one app instance (it leaves rotation at once); with restart, a replacement of the fleet's current version joins once healthy. */
export interface KillInstanceFault extends FaultBase {
  fault: 'kill-instance';
  /** Which instance in rotation: the one started last (default) or first. */
  which?: 'newest' | 'oldest';
  /** Start a replacement, as a supervisor would (default true). */
  restart?: boolean;
}

/** pg_terminate_backend on the migration's session, or on every session of the app. */
export interface TerminateBackendFault extends FaultBase {
  fault: 'terminate-backend';
  target: 'migration' | 'app';
}

/**
 * statement_timeout on the migration's session, and a lock on `table` held for `holdMs` from
 * another session, so the migration's next statement on that table waits past the timeout and
 * is cancelled (SQLSTATE 57014), as a batch behind a long transaction would be.
 */
export interface StatementTimeoutFault extends FaultBase {
  fault: 'statement-timeout';
  timeoutMs: number;
  table: string;
  holdMs: number;
  /** Lock held on `table` (default SHARE: blocks writers, lets readers through). */
  mode?: LockMode;
}

/** Another session holds a table lock for `holdMs`, like a long transaction or someone else's DDL. */
export interface HoldLockFault extends FaultBase {
  fault: 'hold-lock';
  table: string;
  holdMs: number;
  /** Default ACCESS SHARE: a long-running read, which is enough to queue an ALTER and everything behind it. */
  mode?: LockMode;
}

/** Extra clients flood the app for `durationMs` with its own request mix, exhausting its pg pools. */
export interface ConnectionStormFault extends FaultBase {
  fault: 'connection-storm';
  /** Concurrent storm connections across the fleet (default 200). */
  connections?: number;
  durationMs?: number; // default 2000
}

export type FaultStep = KillInstanceFault | TerminateBackendFault | StatementTimeoutFault | HoldLockFault | ConnectionStormFault;


/** The kinds of background session (harness/runner/background-sessions.ts says exactly what each runs). */
export type BackgroundSessionKind = 'long-query' | 'idle-in-transaction' | 'repeated-query' | 'for-update';

/** A session that runs beside the steps that follow, as production traffic outside the app would. */
export interface BackgroundSessionSpec {
  /**
   * long-query: one query reading `table` that runs for `seconds` (ACCESS SHARE, state active);
   * idle-in-transaction: BEGIN, read `table` (or run `sql`), then sit idle for `seconds`;
   * repeated-query: an analytics query on `table` run again and again for `seconds`;
   * for-update: BEGIN, SELECT … FOR UPDATE of `rows` rows of `table`, held for `seconds`.
   */
  session: BackgroundSessionKind;
  table: string;
  /** How long it holds, from the moment it starts. */
  seconds: number;
  /** Replaces the default query (idle-in-transaction: the statements run before going idle). */
  sql?: string;
  /** repeated-query: pause between two runs (default 500). */
  intervalMs?: number;
  /** for-update: rows to lock (default 100). */
  rows?: number;
}

export interface BackgroundStep extends StepBase, BackgroundSessionSpec {
  kind: 'background';
}

export type Step = SqlStep | DeployStep | BackfillStep | VerifyStep | PauseStep | FaultStep | BackgroundStep;

export interface Variant {
  description: string;
  steps: Step[];
  /** Set by --harden on the variant it adds: what was rewritten. */
  hardening?: Hardening;
  /** Set by --rehearse-rollback: what the rollback is judged against (model/rollback.ts). */
  rollbackPlan?: RollbackFacts;
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
