// What every step module gets to work with, and what it gives back.
import type pg from 'pg';
import type { AppFleet } from '../app/fleet.ts';
import type { LockWaitWatcher } from '../observe/statement-tracer.ts';
import type { StatementTrace } from '../model/schema.ts';
import type { StepClock } from '../model/windows.ts';

export interface StepContext {
  /** The migration's own session; application_name 'rehearse-migration'. */
  migration: pg.Client;
  migrationPid: number;
  watcher: LockWaitWatcher;
  fleet: AppFleet;
  clock: StepClock;
  /** Monotonic ms of the run start; reports use run-relative times. */
  runStartMs: number;
  log: (line: string) => void;
  /** Aborted on Ctrl-C: long steps stop at their next safe point. */
  signal: AbortSignal;
}

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
