// What every step module gets to work with, and what it gives back.
import type pg from 'pg';
import type { AppFleet } from '../app/fleet.ts';
import type { RequestFactory } from '../load/types.ts';
import type { LockWaitWatcher } from '../observe/statement-tracer.ts';
import type { RunEvent, StatementTrace } from '../model/schema.ts';
import type { StepClock } from '../model/windows.ts';
import type { BudgetCheck } from '../model/schema.ts';
import { RehearseError } from '../errors.ts';
import type { BackgroundSessions } from './background-sessions.ts';
import type { OnProgress } from './progress.ts';
import type { FaultSchedule } from './fault-schedule.ts';

export interface StepContext {
  /** The migration's own session; application_name 'rehearse-migration'. Replaced by reconnectMigration(). */
  migration: pg.Client;
  migrationPid: number;
  /** Opens a new migration session in place of one the server terminated (updates migration and migrationPid). */
  reconnectMigration(): Promise<void>;
  /** The variant's database. */
  databaseUrl: string;
  watcher: LockWaitWatcher;
  fleet: AppFleet;
  /** Requests shaped like the app's own traffic (a connection storm sends these). */
  requestFactory: RequestFactory | null;
  /** Sessions that run beside the steps (background steps and --background); stopped when the variant ends. */
  background: BackgroundSessions;
  clock: StepClock;
  /** Monotonic ms of the run start; reports use run-relative times. */
  runStartMs: number;
  /** Faults armed by fault steps; they fire during the next step. */
  faults: FaultSchedule;
  /** What happened besides the steps (faults, instance deaths), for the timeline. */
  events: RunEvent[];
  log: (line: string) => void;
  /**
   * Aborted on Ctrl-C, when Postgres dies, or when an abortOnFail budget breaches (reason: a
   * RehearseError or a BudgetBreach): the statement in flight is cancelled and long steps stop
   * at their next safe point.
   */
  signal: AbortSignal;
  /** Progress for a human watching (live view); optional. */
  progress?: OnProgress;
}

/** The abort reason when an abortOnFail budget stopped the migration. */
export class BudgetBreach extends Error {
  constructor(readonly check: BudgetCheck, message: string) {
    super(message);
    this.name = 'BudgetBreach';
  }
}

/** The error code a step stopped by its signal carries: the stop reason's (REH_INTERRUPTED, REH_PG_DIED, REH_BUDGET_ABORTED…). */
export const abortCode = (signal: AbortSignal): string =>
  signal.reason instanceof BudgetBreach ? 'REH_BUDGET_ABORTED' : signal.reason instanceof RehearseError ? signal.reason.code : 'REH_INTERRUPTED';

export interface StepOutcome {
  statements: StatementTrace[];
  details?: Record<string, unknown>;
}

/** A step failed; carries what it managed to record so the report can show it. */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly outcome: StepOutcome,
    readonly sqlstate?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StepFailure';
  }
}
