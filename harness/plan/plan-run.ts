// Turns parsed options into what the runner executes: the scenario, where it came from, and
// which of its variants to run. Every check that can fail before provisioning happens here.
import { RehearseError } from '../errors.ts';
import type { ScenarioDefinition } from '../scenario.ts';
import { loadScenario, resolveScenarioFile } from './load-scenario.ts';

export interface RunPlan {
  scenario: ScenarioDefinition;
  scenarioFile: string | null;
  variants: string[];
}

export async function planScenarioRun(o: { scenario: string; variants: string[] }): Promise<RunPlan> {
  const scenarioFile = resolveScenarioFile(o.scenario);
  const scenario = await loadScenario(scenarioFile);
  const known = Object.keys(scenario.variants);
  const unknown = o.variants.filter((v) => !known.includes(v));
  if (unknown.length) throw new RehearseError('REH_CLI_UNKNOWN_VARIANT', `unknown variant ${unknown.map((v) => `"${v}"`).join(', ')} for ${scenario.name} (known: ${known.join(', ')})`);
  return { scenario, scenarioFile, variants: o.variants.length ? [...new Set(o.variants)] : known };
}
