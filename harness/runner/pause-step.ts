// A `pause` step: observe steady state for N seconds (baseline before, recovery after).
import { sleep } from '../clock.ts';
import type { PauseStep } from '../scenario.ts';
import type { StepContext, StepOutcome } from './step-context.ts';
import type { StepKind } from './step-kinds.ts';

export async function runPauseStep(step: PauseStep, ctx: StepContext): Promise<StepOutcome> {
  const until = Date.now() + step.seconds * 1000;
  while (Date.now() < until && !ctx.signal.aborted) await sleep(Math.min(100, until - Date.now()));
  return { statements: [], details: { seconds: step.seconds } };
}

export const pauseStep: StepKind<PauseStep> = {
  kind: 'pause',
  validate: (step) => (typeof step.seconds === 'number' && step.seconds >= 0 ? [] : ['seconds must be a number ≥ 0']),
  run: runPauseStep,
};
