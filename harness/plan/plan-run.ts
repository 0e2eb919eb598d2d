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
import { withHardenedVariants } from './harden-variant.ts';
import { loadScenario, resolveScenarioFile } from './load-scenario.ts';
import { planRollback } from './rollback-plan.ts';

export interface RunPlan {
  scenario: ScenarioDefinition;
  scenarioFile: string | null;
  variants: string[];
}

export interface RunShape {
  /** --rehearse-rollback: each variant runs forward to its last reversible step and is rolled back. */
  rehearseRollback?: boolean;
  /** --harden: each variant gets a `<variant>-hardened` twin, rewritten by the safe patterns. */
  harden?: boolean;
}

export async function planScenarioRun(o: { scenario: string; variants: string[]; migration?: MigrationDefaults } & RunShape): Promise<RunPlan> {
  const scenarioFile = resolveScenarioFile(o.scenario);
  const scenario = withMigrationDefaults(await loadScenario(scenarioFile), o.migration ?? {});
  const known = Object.keys(scenario.variants);
  const unknown = o.variants.filter((v) => !known.includes(v));
  if (unknown.length) throw new RehearseError('REH_CLI_UNKNOWN_VARIANT', `unknown variant ${unknown.map((v) => `"${v}"`).join(', ')} for ${scenario.name} (known: ${known.join(', ')})`);
  return shapeRun({ scenario, scenarioFile, variants: o.variants.length ? [...new Set(o.variants)] : known }, o, o.variants.length > 0);
}

/** Applies --rehearse-rollback and --harden to a planned run (a scenario's, or one built from your migrations). */
export async function shapeRun(plan: RunPlan, shape: RunShape, variantsNamed = true, log: (line: string) => void = () => {}): Promise<RunPlan> {
  let { scenario, variants } = plan;
  if (shape.rehearseRollback) {
    const rolled: typeof scenario.variants = { ...scenario.variants };
    const kept: string[] = [];
    const problems: string[] = [];
    for (const name of variants) {
      const p = planRollback(name, scenario.variants[name]!, scenario.app.initialVersion);
      if ('problem' in p) problems.push(p.problem);
      else { rolled[name] = p.variant; kept.push(name); }
    }
    // Named variants must all roll back; from "every variant", those that cannot are left out.
    if (problems.length && (variantsNamed || kept.length === 0)) throw new RehearseError('REH_ROLLBACK_IMPOSSIBLE', problems.join('; '));
    for (const p of problems) log(`--rehearse-rollback leaves a variant out: ${p}`);
    scenario = { ...scenario, variants: rolled };
    variants = kept;
  }
  if (shape.harden) ({ scenario, variants } = await withHardenedVariants(scenario, variants));
  return { ...plan, scenario, variants };
}
