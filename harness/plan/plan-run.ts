// Turns parsed options into what the runner executes: the scenario, where it came from, and
// which of its variants to run. Every check that can fail before provisioning happens here.
import { RehearseError } from '../errors.ts';
import type { ScenarioDefinition } from '../scenario.ts';

export interface MigrationDefaults { lockTimeoutMs?: number; retries?: number }

/** --lock-timeout / --retries wrap every sql step that sets none of its own. */
export function withMigrationDefaults(s: ScenarioDefinition, d: MigrationDefaults): ScenarioDefinition {
  if (d.lockTimeoutMs === undefined && d.retries === undefined) return s;
  const variants = Object.fromEntries(Object.entries(s.variants).map(([name, v]) => [name, {
    ...v,
    steps: v.steps.map((st) => (st.kind !== 'sql' ? st : {
      ...st,
      ...(st.lockTimeoutMs === undefined && d.lockTimeoutMs !== undefined ? { lockTimeoutMs: d.lockTimeoutMs } : {}),
      ...(st.retries === undefined && d.retries !== undefined ? { retries: d.retries } : {}),
    })),
  }]));
  return { ...s, variants };
}
import { loadScenario, resolveScenarioFile } from './load-scenario.ts';

export interface RunPlan {
  scenario: ScenarioDefinition;
  scenarioFile: string | null;
  variants: string[];
}

export async function planScenarioRun(o: { scenario: string; variants: string[]; migration?: MigrationDefaults }): Promise<RunPlan> {
  const scenarioFile = resolveScenarioFile(o.scenario);
  const scenario = withMigrationDefaults(await loadScenario(scenarioFile), o.migration ?? {});
  const known = Object.keys(scenario.variants);
  const unknown = o.variants.filter((v) => !known.includes(v));
  if (unknown.length) throw new RehearseError('REH_CLI_UNKNOWN_VARIANT', `unknown variant ${unknown.map((v) => `"${v}"`).join(', ')} for ${scenario.name} (known: ${known.join(', ')})`);
  return { scenario, scenarioFile, variants: o.variants.length ? [...new Set(o.variants)] : known };
}
