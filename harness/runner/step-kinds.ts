// The registry of step kinds. A step kind is one module (validate + run) and one line here;
// the scenario validator and the runner only ever go through this table.
import type { Step } from '../scenario.ts';
import { backfillStep } from './backfill-step.ts';
import { backgroundStep } from './background-step.ts';
import { deployStep } from './deploy-step.ts';
import { faultStep } from './fault-step.ts';
import { pauseStep } from './pause-step.ts';
import { sqlStep } from './sql-step.ts';
import type { StepContext, StepOutcome } from './step-context.ts';
import { verifyStep } from './verify-step.ts';

/** What the validator knows about the scenario around a step. */
export interface ValidationContext {
  /** App versions a deploy may name. */
  versions: readonly string[];
}

export interface StepKind<S extends Step = Step> {
  readonly kind: S['kind'];
  /** Every problem with the step's fields, as sentences; empty when it is valid. */
  validate(step: S, ctx: ValidationContext): Promise<string[]> | string[];
  run(step: S, ctx: StepContext): Promise<StepOutcome>;
  /** The SQL the step executes against the schema, when it has any (an app may derive its load from it). */
  sqlOf?(step: S): string[];
  /** A step that only arms faults: faults armed before it keep waiting for the next real step. */
  readonly armsFaults?: boolean;
}

type Registry = { [K in Step['kind']]: StepKind<Extract<Step, { kind: K }>> };

export const STEP_KINDS: Registry = {
  sql: sqlStep,
  deploy: deployStep,
  backfill: backfillStep,
  verify: verifyStep,
  pause: pauseStep,
  fault: faultStep,
  background: backgroundStep,
};

/** Every SQL text the steps of every variant execute, in order. */
export function migrationSqlOf(variants: Record<string, { steps: Step[] }>): string[] {
  return Object.values(variants).flatMap((v) => v.steps.flatMap((s) => stepKindOf(s.kind)?.sqlOf?.(s) ?? []));
}

export const stepKindOf = (kind: string): StepKind | undefined =>
  Object.hasOwn(STEP_KINDS, kind) ? (STEP_KINDS[kind as Step['kind']] as unknown as StepKind) : undefined;
