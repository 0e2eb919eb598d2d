// A `fault` step: arms a fault (runner/faults/) that fires during the next step, so a rehearsal
// can include what production throws at a migration. The step itself takes no time; the fault
// shows as an event on the timeline, with what the app and the migration did after it.
import type { FaultStep } from '../scenario.ts';
import { faultKindOf, FAULT_KINDS } from './faults/fault-kinds.ts';
import type { StepContext, StepOutcome } from './step-context.ts';
import type { StepKind } from './step-kinds.ts';

export async function runFaultStep(step: FaultStep, ctx: StepContext): Promise<StepOutcome> {
  const kind = faultKindOf(step.fault)!;
  const afterMs = step.afterMs ?? 0;
  ctx.faults.arm({ step: step.name, fault: step.fault, afterMs, fire: (signal, tookEffect) => kind.fire(step, ctx, signal, tookEffect) });
  return { statements: [], details: { fault: step.fault, firesAfterMs: afterMs, into: 'the next step' } };
}

export const faultStep: StepKind<FaultStep> = {
  kind: 'fault',
  // Arming is not a step of the migration: faults armed earlier wait for the next real step.
  armsFaults: true,
  validate(step) {
    const kind = faultKindOf(step.fault);
    if (!kind) return [`unknown fault "${String(step.fault)}" (${Object.keys(FAULT_KINDS).join(', ')})`];
    const out = kind.validate(step);
    if (step.afterMs !== undefined && !(typeof step.afterMs === 'number' && step.afterMs >= 0)) out.push('afterMs must be a number ≥ 0');
    return out;
  },
  run: runFaultStep,
};
