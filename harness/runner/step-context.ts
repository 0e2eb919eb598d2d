// What every step module gets to work with, and what it gives back.
import type pg from 'pg';
import type { AppFleet } from '../app/fleet.ts';
import type { LockWaitWatcher } from '../observe/statement-tracer.ts';
import type { StatementTrace } from '../model/schema.ts';
import type { StepClock } from '../model/windows.ts';
import type { BudgetCheck } from '../model/schema.ts';
import type { BackgroundSessions } from './background-sessions.ts';
import type { OnProgress } from './progress.ts';

export interface StepContext {
  /** The migration's own session; application_name 'rehearse-migration'. */
  migration: pg.Client;
  migrationPid: number;
  watcher: LockWaitWatcher;
  fleet: AppFleet;
  /** Sessions that run beside the steps (background steps and --background); stopped when the variant ends. */
  background: BackgroundSessions;
  clock: StepClock;
  /** Monotonic ms of the run start; reports use run-relative times. */
  runStartMs: number;
  log: (line: string) => void;
  /**
   * Aborted on Ctrl-C, or when an abortOnFail budget breaches (reason: a BudgetBreach): the
   * statement in flight is cancelled and long steps stop at their next safe point.
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

/** The error code a step stopped by its signal carries. */
export const abortCode = (signal: AbortSignal): 'REH_BUDGET_ABORTED' | 'REH_INTERRUPTED' =>
  signal.reason instanceof BudgetBreach ? 'REH_BUDGET_ABORTED' : 'REH_INTERRUPTED';

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
