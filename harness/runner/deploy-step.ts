// A `deploy` step: rolling replace of every app instance onto another version.
import type { DeployStep } from '../scenario.ts';
import type { DeployEvent } from '../app/fleet.ts';
import type { StepContext, StepOutcome } from './step-context.ts';
import type { StepKind } from './step-kinds.ts';

export async function runDeployStep(step: DeployStep, ctx: StepContext): Promise<StepOutcome> {
  const from = [...new Set(ctx.fleet.versions())];
  const events: (Omit<DeployEvent, 't'> & { atMs: number })[] = [];
  await ctx.fleet.rollingDeploy(step.version, (e) => {
    events.push({ instance: e.instance, action: e.action, version: e.version, atMs: Math.round(e.t - ctx.runStartMs) });
    ctx.log(`  ${e.instance} ${e.action} (${e.version})`);
  });
  return { statements: [], details: { from, to: step.version, events } };
}

export const deployStep: StepKind<DeployStep> = {
  kind: 'deploy',
  validate: (step, ctx) => (ctx.versions.includes(step.version) ? [] : [`version "${step.version}" is not one of app.versions (${ctx.versions.join(', ')})`]),
  run: runDeployStep,
};
