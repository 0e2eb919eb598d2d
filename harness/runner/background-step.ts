// A `background` step: starts a session that runs beside the steps after it (a report query, a
// transaction left idle, …; see background-sessions.ts) and returns once the session holds its
// lock, so the next step meets it. The session ends on its own after `seconds`, or with the variant.
import type { BackgroundStep } from '../scenario.ts';
import { backgroundProblems, backgroundSql } from './background-sessions.ts';
import type { StepContext, StepOutcome } from './step-context.ts';
import type { StepKind } from './step-kinds.ts';

export async function runBackgroundStep(step: BackgroundStep, ctx: StepContext): Promise<StepOutcome> {
  const { pid, applicationName } = await ctx.background.start(step.name, step);
  return { statements: [], details: { session: step.session, table: step.table, seconds: step.seconds, pid, applicationName, sql: backgroundSql(step) } };
}

export const backgroundStep: StepKind<BackgroundStep> = {
  kind: 'background',
  validate: (step) => backgroundProblems(step),
  run: runBackgroundStep,
};
