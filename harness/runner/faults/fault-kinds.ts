// The registry of faults a `fault` step can inject. A fault is one module (validate + fire) and
// one line here; the fault step kind (runner/fault-step.ts) only ever goes through this table.
import type { FaultStep } from '../../scenario.ts';
import type { FaultFiring } from '../fault-schedule.ts';
import type { StepContext } from '../step-context.ts';
import { connectionStorm } from './connection-storm.ts';
import { holdLock } from './hold-lock.ts';
import { killInstance } from './kill-instance.ts';
import { statementTimeout } from './statement-timeout.ts';
import { terminateBackend } from './terminate-backend.ts';

export interface FaultKind<F extends FaultStep = FaultStep> {
  readonly fault: F['fault'];
  /** Every problem with the fault's own fields, as sentences. */
  validate(step: F): string[];
  /**
   * Injects the fault and returns once it has run its course (or `signal` aborts). Calls
   * tookEffect() as soon as the fault is in place, so a step it is due at can start after it.
   */
  fire(step: F, ctx: StepContext, signal: AbortSignal, tookEffect: () => void): Promise<FaultFiring>;
}

type Registry = { [K in FaultStep['fault']]: FaultKind<Extract<FaultStep, { fault: K }>> };

export const FAULT_KINDS: Registry = {
  'kill-instance': killInstance,
  'terminate-backend': terminateBackend,
  'statement-timeout': statementTimeout,
  'hold-lock': holdLock,
  'connection-storm': connectionStorm,
};

export const faultKindOf = (fault: unknown): FaultKind | undefined =>
  typeof fault === 'string' && Object.hasOwn(FAULT_KINDS, fault) ? (FAULT_KINDS[fault as FaultStep['fault']] as unknown as FaultKind) : undefined;
